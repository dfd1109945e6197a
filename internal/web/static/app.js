// ecitizen: progressive enhancement only. Every page works without this file.
"use strict";
(function () {
  // Check-in scanner: on /checkin, a phone with a camera and the BarcodeDetector
  // API reads the centre's QR code and opens the link it holds (the same link the
  // phone's own camera app would open). Without them the page's form is used.
  var box = document.getElementById("scanner");
  if (box && "BarcodeDetector" in window && navigator.mediaDevices) {
    var start = document.getElementById("scan-start");
    start.hidden = false;
    start.addEventListener("click", function () {
      var video = document.createElement("video");
      video.setAttribute("playsinline", "");
      video.setAttribute("aria-label", box.getAttribute("data-label") || "camera");
      video.className = "qr";
      box.appendChild(video);
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.play();
        var tick = function () {
          detector.detect(video).then(function (codes) {
            for (var i = 0; i < codes.length; i++) {
              var u = new URL(codes[i].rawValue, location.href);
              if (u.origin === location.origin && u.pathname === "/checkin") {
                stream.getTracks().forEach(function (t) { t.stop(); });
                location.href = u.pathname + u.search;
                return;
              }
            }
            requestAnimationFrame(tick);
          }, function () { requestAnimationFrame(tick); });
        };
        tick();
      }, function () {
        box.appendChild(document.createTextNode(box.getAttribute("data-denied") || ""));
      });
    });
  }
  // Confirm buttons: data-confirm asks before a destructive form is sent.
  document.addEventListener("submit", function (e) {
    var b = e.submitter;
    var msg = (b && b.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
})();
