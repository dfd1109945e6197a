package resident

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestKeyRing(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ringA, err := NewCrypter(a)
	if err != nil {
		t.Fatal(err)
	}
	ringBA, err := NewCrypter(b, a)
	if err != nil {
		t.Fatal(err)
	}
	ringB, _ := NewCrypter(b)
	t.Run("OldKeyOpensAndIndexes", func(t *testing.T) {
		s, err := ringA.Seal("r1", KindPhone, "+84912345678")
		if err != nil || s.KeyID != ringA.KeyID() {
			t.Fatalf("seal: %+v, %v", s, err)
		}
		got, err := ringBA.Open("r1", KindPhone, s)
		if err != nil || got != "+84912345678" {
			t.Fatalf("open with the old key: %q, %v", got, err)
		}
		idx := ringBA.Indexes(KindPhone, "+84912345678")
		if len(idx) != 2 || idx[0] != ringB.Index(KindPhone, "+84912345678") || idx[1] != ringA.Index(KindPhone, "+84912345678") {
			t.Fatalf("indexes %v", idx)
		}
		claims := ringBA.Claims("r2", KindPhone, "+84912345678")
		if len(claims) != 2 || claims[0].Transient || !claims[1].Transient || claims[1].Index != idx[1] || claims[0].ResidentID != "r2" {
			t.Fatalf("claims %+v", claims)
		}
		if s, _ := ringBA.Seal("r1", KindPhone, "+84912345678"); s.KeyID != ringB.KeyID() {
			t.Fatal("a new value is not sealed under the current key")
		}
		if ids := ringBA.KeyIDs(); len(ids) != 2 || ids[0] != ringB.KeyID() || ids[1] != ringA.KeyID() {
			t.Fatalf("key ids %v", ids)
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		s, _ := ringA.Seal("r1", KindNationalID, "001200000001")
		_, err := ringB.Open("r1", KindNationalID, s)
		if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), ringA.KeyID()) || strings.Contains(err.Error(), "001200000001") {
			t.Fatalf("err = %v, want ErrUnknownKey naming the key id only", err)
		}
		if _, err := ringBA.Open("r2", KindNationalID, s); err == nil || errors.Is(err, ErrUnknownKey) {
			t.Fatalf("another resident's value: %v", err)
		}
	})
	t.Run("ErrKeyTwice", func(t *testing.T) {
		if _, err := NewCrypter(a, b, a); !errors.Is(err, errKeyTwice) {
			t.Fatalf("err = %v", err)
		}
		if _, err := NewCrypter(a, a[:16]); !errors.Is(err, errKeySize) {
			t.Fatalf("err = %v", err)
		}
	})
}
