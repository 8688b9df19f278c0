package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
)

// waitlist remembers who asked to hear about which product. The tokens live
// in the token store, which finds a person's token for a topic but cannot list
// everyone holding one; a restock needs that list, so the shop keeps it here.
//
// It is a file of JSON lines, appended to and synced, so a request survives a
// crash the moment the person was told they are on the list.
type waitlist struct {
	mu sync.Mutex
	f  *os.File
}

// waiting is one request: a person of a Page waiting for a product.
type waiting struct {
	Page string `json:"page"`
	PSID string `json:"psid"`
	SKU  string `json:"sku"`
}

func openWaitlist(path string) (*waitlist, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := endLastLine(f); err != nil {
		f.Close()
		return nil, err
	}
	return &waitlist{f: f}, nil
}

// endLastLine ends a last line that a crash during add left without its
// newline, so the next entry starts on a line of its own.
func endLastLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil || last[0] == '\n' {
		return err
	}
	_, err = f.Write([]byte{'\n'})
	return err
}

// add appends w and syncs it to disk.
func (l *waitlist) add(w waiting) error {
	line, err := json.Marshal(w)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return err
	}
	return l.f.Sync()
}

// waitingFor lists the people who asked for sku, each once, in the order they
// asked. Whether each may still be told is the token store's to say: Notify
// refuses a person whose token was used.
func (l *waitlist) waitingFor(sku string) ([]waiting, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var out []waiting
	seen := map[waiting]bool{}
	sc := bufio.NewScanner(l.f)
	for sc.Scan() {
		var w waiting
		// A line torn by a crash during add is skipped: that person was never
		// told they are on the list.
		if json.Unmarshal(sc.Bytes(), &w) != nil || w.SKU != sku || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out, sc.Err()
}

func (l *waitlist) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.f.Sync(), l.f.Close())
}
