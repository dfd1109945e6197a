// Package archtest holds tests that keep the codebase's boundaries true: rules
// about how the packages are written that the compiler does not check, such as
// that nothing logs through slog's global default. It has no code of its own.
package archtest
