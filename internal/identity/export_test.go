package identity

import "time"

// HoldHashTurns takes every turn to hash of s and shortens the wait for one to
// wait, as a burst of sign-ins would hold them; release gives them back.
func HoldHashTurns(s *Service, wait time.Duration) (release func()) {
	s.hashWait = wait
	n := cap(s.hashing)
	for range n {
		s.hashing <- struct{}{}
	}
	return func() {
		for range n {
			<-s.hashing
		}
		s.hashWait = maxHashWait
	}
}
