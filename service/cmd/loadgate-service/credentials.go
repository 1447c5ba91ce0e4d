package main

import (
	"fmt"
	"os"
	"strings"
)

// A credential is read from its environment variable or from the file named by <name>_FILE,
// never from a flag: every local user can read a process's command line (ps), while its
// environment and a 0600 file are its owner's alone.
type credential struct{ env, meaning string }

var credentials = []credential{
	{"DATABASE_URL", "postgres:// URL: use PostgreSQL instead of SQLite; its tables are dropped and reseeded on start"},
	{"REDIS_URL", "redis:// URL: cache feed pages, clips and vote state there (empty: no cache)"},
	{"LOADGATE_TARGET_SECRET", "HMAC secret for bearer tokens (default random)"},
}

// readCredentials returns each credential's value, "" when it is unset.
func readCredentials(getenv func(string) string) (map[string]string, error) {
	values := map[string]string{}
	for _, c := range credentials {
		value, file := getenv(c.env), getenv(c.env+"_FILE")
		switch {
		case value != "" && file != "":
			return nil, fmt.Errorf("%s and %s_FILE are both set; give one", c.env, c.env)
		case file != "":
			text, err := readPrivateFile(file)
			if err != nil {
				return nil, fmt.Errorf("%s_FILE: %w", c.env, err)
			}
			value = text
		}
		values[c.env] = value
	}
	return values, nil
}

// readPrivateFile refuses a file that other users can read: the secret would not be one.
func readPrivateFile(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by other users (mode %04o); chmod 600 it", path, info.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}
