package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"testing"
)

func TestTokenMatchesDocumentedScheme(t *testing.T) {
	s, err := NewSigner([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, []byte("k"))
	m.Write([]byte("user:42"))
	want := "42." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if got := s.Token(42); got != want {
		t.Fatalf("token %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	s, _ := NewSigner([]byte("secret"))
	other, _ := NewSigner([]byte("other"))
	if id, err := s.Verify(s.Token(7)); err != nil || id != 7 {
		t.Fatalf("valid token: %d %v", id, err)
	}
	tok := s.Token(7)
	for _, bad := range []string{"", "7", "7.", "8" + tok[1:], "07" + tok[1:], other.Token(7), tok + "x", "-1.abc"} {
		if _, err := s.Verify(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}

	r := httptest.NewRequest("GET", "/", nil)
	if _, err := s.FromRequest(r); err == nil {
		t.Fatal("missing header accepted")
	}
	r.Header.Set("Authorization", "Basic "+tok)
	if _, err := s.FromRequest(r); err == nil {
		t.Fatal("wrong scheme accepted")
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	if id, err := s.FromRequest(r); err != nil || id != 7 {
		t.Fatalf("bearer: %d %v", id, err)
	}
	if _, err := NewSigner(nil); err == nil {
		t.Fatal("empty secret accepted")
	}
}
