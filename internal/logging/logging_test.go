package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestRequestIDOnEveryLineOfARequest(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo).With("component", "test")
	ctx := WithRequestID(context.Background(), "req-42")
	log.InfoContext(ctx, "inside a request", "n", 1)
	log.WithGroup("g").InfoContext(ctx, "grouped", "n", 2)
	log.InfoContext(context.Background(), "outside a request")
	log.DebugContext(ctx, "below the level")

	var lines []map[string]any
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3: %v", len(lines), lines)
	}
	if lines[0]["request_id"] != "req-42" || lines[0]["component"] != "test" {
		t.Errorf("line in a request: %v", lines[0])
	}
	if g, _ := lines[1]["g"].(map[string]any); g["request_id"] != "req-42" {
		t.Errorf("grouped line: %v", lines[1])
	}
	if _, ok := lines[2]["request_id"]; ok {
		t.Errorf("line outside a request has a request id: %v", lines[2])
	}
	if RequestID(context.Background()) != "" {
		t.Error("an empty context carries a request id")
	}
}

func TestWrapTwiceAddsTheIDOnce(t *testing.T) {
	var buf bytes.Buffer
	log := WithRequestIDs(WithRequestIDs(slog.New(slog.NewTextHandler(&buf, nil))))
	log.InfoContext(WithRequestID(context.Background(), "r1"), "x")
	if n := bytes.Count(buf.Bytes(), []byte("request_id=r1")); n != 1 {
		t.Errorf("request_id written %d times: %s", n, buf.String())
	}
}

func TestDiscard(t *testing.T) {
	if OrDiscard(nil) == nil || OrDiscard(Discard()).Enabled(context.Background(), slog.LevelError) {
		t.Error("OrDiscard(nil) must be a logger that writes nothing")
	}
}
