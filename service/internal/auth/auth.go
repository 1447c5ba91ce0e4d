// Package auth issues and verifies the target's bearer tokens.
//
// A token is "<userID>.<sig>" where sig is
// base64url-without-padding(HMAC-SHA256(secret, "user:"+userID)). The
// scheme is deliberately deterministic: with a known secret
// (LOADGATE_TARGET_SECRET or LOADGATE_TARGET_SECRET_FILE) a test can recompute every
// user's token and grep result files to prove none leaked.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// ErrInvalid covers missing, malformed and forged tokens alike, so callers
// cannot leak which check failed.
var ErrInvalid = errors.New("missing or invalid bearer token")

// Signer signs and verifies tokens with one secret.
type Signer struct {
	secret []byte
}

// NewSigner copies secret, which must not be empty.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) == 0 {
		return nil, errors.New("token secret must not be empty")
	}
	return &Signer{secret: append([]byte(nil), secret...)}, nil
}

func (s *Signer) sig(userID int64) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("user:" + strconv.FormatInt(userID, 10)))
	return m.Sum(nil)
}

// Token returns the token for userID.
func (s *Signer) Token(userID int64) string {
	return strconv.FormatInt(userID, 10) + "." + base64.RawURLEncoding.EncodeToString(s.sig(userID))
}

// Verify returns the user a token was issued for.
func (s *Signer) Verify(token string) (int64, error) {
	idStr, sigStr, ok := strings.Cut(token, ".")
	if !ok {
		return 0, ErrInvalid
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	// Only the canonical decimal form was ever signed.
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != idStr {
		return 0, ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sigStr)
	if err != nil || !hmac.Equal(got, s.sig(id)) {
		return 0, ErrInvalid
	}
	return id, nil
}

// FromRequest verifies the request's "Authorization: Bearer <token>".
func (s *Signer) FromRequest(r *http.Request) (int64, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return 0, ErrInvalid
	}
	return s.Verify(strings.TrimSpace(token))
}
