package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCredentialFlagsAreGone(t *testing.T) {
	for _, flag := range []string{"-token-secret", "-database-url", "-redis-url"} {
		_, err := parseConfig([]string{flag, "x"}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "flag provided but not defined") {
			t.Errorf("%s: want an unknown flag, got %v", flag, err)
		}
	}
}

func TestCredentialFromPrivateFileOnly(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LOADGATE_TARGET_SECRET_FILE": file}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || string(cfg.secret) != "from-a-file" {
		t.Fatalf("secret %q, error %v", cfg.secret, err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "readable by other users") {
		t.Fatalf("a world-readable secret file: want a refusal, got %v", err)
	}
	env["LOADGATE_TARGET_SECRET"] = "both"
	if _, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard); err == nil {
		t.Fatal("both the variable and its _FILE: want a refusal")
	}
}

func TestDebugListenerHasNoCmdline(t *testing.T) {
	tg := startService(t, nil)
	resp, err := http.Get(tg.debug + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || strings.Contains(string(body), "-addr") {
		t.Fatalf("GET /debug/pprof/cmdline: %d %q", resp.StatusCode, body)
	}
}
