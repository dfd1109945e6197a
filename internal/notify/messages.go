package notify

import (
	"fmt"
	"time"

	"ecitizen/internal/roster"
)

// message renders the title and body of a notification of kind about a shift.
func message(kind Kind, sh *roster.Shift, loc *time.Location) (title, body Text, err error) {
	if sh == nil {
		return Text{}, Text{}, fmt.Errorf("notify: %s without a shift", kind)
	}
	f, ok := messages[kind]
	if !ok {
		return Text{}, Text{}, fmt.Errorf("notify: unknown kind %q", kind)
	}
	title, body = f(sh.Title, sh.StartsAt.In(loc))
	return title, body, nil
}

// messages builds each kind's title and body from a shift's title and local start.
var messages = map[Kind]func(shift string, start time.Time) (Text, Text){
	KindBookingConfirmed: bookingConfirmed,
	KindPromoted:         promoted,
	KindShiftChanged:     shiftChanged,
	KindShiftCancelled:   shiftCancelled,
	KindReminder:         reminder,
	KindRemoved:          removed,
}

// viTime and enTime show a local time as each language writes it.
func viTime(t time.Time) string { return t.Format("15:04 ngày 02/01/2006") }
func enTime(t time.Time) string { return t.Format("2 January 2006 at 15:04") }

func bookingConfirmed(shift string, start time.Time) (Text, Text) {
	return Text{Vi: "Đã xác nhận đăng ký ca trực", En: "Booking confirmed"},
		Text{Vi: fmt.Sprintf("Bạn đã có chỗ trong ca trực «%s» lúc %s.", shift, viTime(start)),
			En: fmt.Sprintf("You have a place on the shift “%s” on %s.", shift, enTime(start))}
}

func promoted(shift string, start time.Time) (Text, Text) {
	return Text{Vi: "Bạn đã có chỗ từ danh sách chờ", En: "You got a place from the waiting list"},
		Text{Vi: fmt.Sprintf("Một chỗ đã trống: bạn được chuyển từ danh sách chờ vào ca trực «%s» lúc %s.", shift, viTime(start)),
			En: fmt.Sprintf("A place opened up: you moved from the waiting list onto the shift “%s” on %s.", shift, enTime(start))}
}

func shiftChanged(shift string, start time.Time) (Text, Text) {
	return Text{Vi: "Ca trực đã thay đổi", En: "Shift changed"},
		Text{Vi: fmt.Sprintf("Cán bộ phường đã cập nhật ca trực «%s» (bắt đầu lúc %s); hãy xem lại thông tin ca trực.", shift, viTime(start)),
			En: fmt.Sprintf("Ward staff updated the shift “%s” (starting on %s); please check its details.", shift, enTime(start))}
}

func shiftCancelled(shift string, start time.Time) (Text, Text) {
	return Text{Vi: "Ca trực đã bị huỷ", En: "Shift cancelled"},
		Text{Vi: fmt.Sprintf("Ca trực «%s» lúc %s đã bị huỷ; bạn không cần đến nữa.", shift, viTime(start)),
			En: fmt.Sprintf("The shift “%s” on %s has been cancelled; you need not come.", shift, enTime(start))}
}

func reminder(shift string, start time.Time) (Text, Text) {
	return Text{Vi: "Nhắc lịch ca trực ngày mai", En: "Reminder: your shift tomorrow"},
		Text{Vi: fmt.Sprintf("Ca trực «%s» của bạn bắt đầu lúc %s. Hẹn gặp bạn!", shift, viTime(start)),
			En: fmt.Sprintf("Your shift “%s” starts on %s. See you there!", shift, enTime(start))}
}

func removed(shift string, start time.Time) (Text, Text) {
	return Text{Vi: "Bạn đã được rút khỏi ca trực", En: "You were removed from a shift"},
		Text{Vi: fmt.Sprintf("Cán bộ phường đã rút tên bạn khỏi ca trực «%s» lúc %s.", shift, viTime(start)),
			En: fmt.Sprintf("Ward staff removed you from the shift “%s” on %s.", shift, enTime(start))}
}
