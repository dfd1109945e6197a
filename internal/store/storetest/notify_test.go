package storetest

import (
	"fmt"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/notify"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

func newNotification(t testing.TB, userID, key string) *notify.Notification {
	return &notify.Notification{ID: newID(t), UserID: userID, Kind: notify.KindReminder, Key: key,
		Title:   notify.Text{Vi: "Nhắc lịch ca trực", En: "Shift reminder"},
		Body:    notify.Text{Vi: "Ca trực «Hướng dẫn» bắt đầu lúc 08:00.", En: "The shift “Guide” starts at 08:00."},
		ShiftID: newID(t), CreatedAt: now()}
}

func mkNotification(t testing.TB, st store.Store, userID, key string) *notify.Notification {
	t.Helper()
	n := newNotification(t, userID, key)
	must(t, st.Notify(t.Context(), n))
	return n
}

func TestNotifications(t *testing.T) {
	runCases(t, []storeCase{
		{"RoundTrip", func(t *testing.T, st store.Store) {
			u := mkUser(t, st)
			n := mkNotification(t, st, u.ID, "reminder:1")
			got, err := st.ListNotifications(t.Context(), u.ID, false, page.Request{})
			must(t, err)
			same(t, "notifications", got, []*notify.Notification{n})
		}},
		{"DuplicateKeyIsConflict", func(t *testing.T, st store.Store) {
			u, other := mkUser(t, st), mkUser(t, st)
			mkNotification(t, st, u.ID, "reminder:1")
			wantErr(t, st.Notify(t.Context(), newNotification(t, u.ID, "reminder:1")), apperr.ErrConflict)
			mkNotification(t, st, other.ID, "reminder:1") // the key is unique per user
			got, err := st.ListNotifications(t.Context(), u.ID, false, page.Request{})
			must(t, err)
			if len(got) != 1 {
				t.Fatalf("%d notifications, want 1", len(got))
			}
		}},
		{"UnknownUserIsNotFound", func(t *testing.T, st store.Store) {
			wantErr(t, st.Notify(t.Context(), newNotification(t, newID(t), "k")), apperr.ErrNotFound)
		}},
		{"ListNewestFirstUnreadAndPages", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u, other := mkUser(t, st), mkUser(t, st)
			var ns []*notify.Notification
			for i := range 7 {
				ns = append(ns, mkNotification(t, st, u.ID, fmt.Sprintf("k%d", i)))
			}
			mkNotification(t, st, other.ID, "k0")
			read := now()
			for _, i := range []int{1, 4} {
				must(t, st.MarkRead(ctx, u.ID, ns[i].ID, read))
				ns[i].ReadAt = &read
			}
			got, pages := allPages(t, 3, notify.Key, func(p page.Request) ([]*notify.Notification, error) {
				return st.ListNotifications(ctx, u.ID, false, p)
			})
			if pages != 3 {
				t.Errorf("%d pages of 3, want 3", pages)
			}
			want := []*notify.Notification{ns[6], ns[5], ns[4], ns[3], ns[2], ns[1], ns[0]}
			same(t, "all notifications, newest first", got, want)
			got, _ = allPages(t, 2, notify.Key, func(p page.Request) ([]*notify.Notification, error) {
				return st.ListNotifications(ctx, u.ID, true, p)
			})
			same(t, "unread notifications", keys(got, notify.Key), []string{ns[6].ID, ns[5].ID, ns[3].ID, ns[2].ID, ns[0].ID})
		}},
		{"MarkRead", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u, other := mkUser(t, st), mkUser(t, st)
			n := mkNotification(t, st, u.ID, "k")
			wantErr(t, st.MarkRead(ctx, other.ID, n.ID, now()), apperr.ErrNotFound)
			wantErr(t, st.MarkRead(ctx, u.ID, newID(t), now()), apperr.ErrNotFound)
			first := now()
			must(t, st.MarkRead(ctx, u.ID, n.ID, first))
			must(t, st.MarkRead(ctx, u.ID, n.ID, first.Add(time.Hour))) // keeps the first read time
			got, err := st.ListNotifications(ctx, u.ID, false, page.Request{})
			must(t, err)
			n.ReadAt = &first
			same(t, "read notification", got, []*notify.Notification{n})
			got, err = st.ListNotifications(ctx, u.ID, true, page.Request{})
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("unread list has %d, want 0", len(got))
			}
		}},
		{"ClaimDeliveryOnce", func(t *testing.T, st store.Store) {
			u := mkUser(t, st)
			n := mkNotification(t, st, u.ID, "k")
			raceOne(t, 20, apperr.ErrConflict, func(i int) error {
				return st.ClaimDelivery(t.Context(), n.ID, fmt.Sprintf("worker-%d", i), now())
			})
			wantErr(t, st.ClaimDelivery(t.Context(), newID(t), "worker", now()), apperr.ErrNotFound)
		}},
		{"PendingDeliveries", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			u, other := mkUser(t, st), mkUser(t, st)
			a := mkNotification(t, st, u.ID, "a")
			b := mkNotification(t, st, other.ID, "b")
			c := mkNotification(t, st, u.ID, "c")
			d := mkNotification(t, st, u.ID, "d")
			must(t, st.ClaimDelivery(ctx, b.ID, "w1", now()))
			got, err := st.PendingDeliveries(ctx, 10)
			must(t, err)
			same(t, "pending", keys(got, notify.Key), []string{a.ID, c.ID, d.ID})
			got, err = st.PendingDeliveries(ctx, 2)
			must(t, err)
			same(t, "first two pending", keys(got, notify.Key), []string{a.ID, c.ID})
			must(t, st.ClaimDelivery(ctx, a.ID, "w2", now()))
			got, err = st.PendingDeliveries(ctx, 0)
			must(t, err)
			same(t, "pending after a claim", keys(got, notify.Key), []string{c.ID, d.ID})
		}},
	})
}
