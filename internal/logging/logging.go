// Package logging builds ecitizen's structured logger and carries a request's id
// in its context, so that every line written while serving a request names the
// request, whichever package writes it.
//
// Nothing in ecitizen logs through slog's global default: the program builds one
// logger (New) and hands it to every part that logs, and those parts log with the
// context of the work they do (InfoContext, ErrorContext …). A line logged with a
// context that carries a request id gets a "request_id" attribute.
package logging

import (
	"context"
	"io"
	"log/slog"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// New returns the JSON logger of a running ecitizen, writing lines at level and
// above to w.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(Wrap(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}

// Discard returns a logger that writes nothing: the default of a part built
// without one (tests, tools).
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// OrDiscard returns log, or Discard() when log is nil.
func OrDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return Discard()
	}
	return log
}

// Wrap returns a handler that adds the request id of each record's context to
// the record, then hands it to h. A handler Wrap already made is returned as it
// is, so wrapping twice adds the id once.
func Wrap(h slog.Handler) slog.Handler {
	if w, ok := h.(requestIDHandler); ok {
		return w
	}
	return requestIDHandler{h}
}

// WithRequestIDs returns log with a handler that adds request ids (see Wrap);
// nil gives Discard().
func WithRequestIDs(log *slog.Logger) *slog.Logger {
	if log == nil {
		return Discard()
	}
	if _, ok := log.Handler().(requestIDHandler); ok {
		return log
	}
	return slog.New(Wrap(log.Handler()))
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
