package broadcast

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// FileJournal is a durable Journal: a file of JSON lines, one [Entry] per line,
// appended to and never rewritten, so it doubles as the broadcast's audit trail.
//
// A claim is synced to disk (fsync) before Put returns; claims from concurrent
// workers share one fsync (group commit). Outcomes are written at once, so they
// survive a killed process, and synced with the next claim or on Close. A torn last
// line left by a crash is cut off when the file is opened again: it was a claim
// whose Put never returned, so its send never started.
//
// Opening reads the file and keeps, per PSID, where its newest line is (the PSID
// and 12 bytes), so memory grows with the number of recipients already handled,
// not with their entries. One process may use a file at a time: on Unix systems
// OpenFileJournal fails while another process has it open.
type FileJournal struct {
	f    *os.File
	path string

	mu      sync.Mutex // guards the fields below and orders writes
	index   map[string]slot
	size    int64
	written uint64 // lines written
	broken  error  // a failed write or sync: the file's tail is unknown

	syncMu sync.Mutex // one fsync at a time
	synced uint64     // lines known durable
}

type slot struct {
	off int64
	n   int32
}

// maxJournalLine bounds one line of a journal file.
const maxJournalLine = 1 << 20

// OpenFileJournal opens the journal file at path, creating it (mode 0600) if it
// does not exist, and reads the entries it holds.
func OpenFileJournal(path string) (*FileJournal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("broadcast: opening journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	j := &FileJournal{f: f, path: path, index: make(map[string]slot)}
	if err := j.load(); err != nil {
		f.Close()
		return nil, err
	}
	// Make the file's own existence durable, not only its content.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return j, nil
}

// load indexes the file and cuts off a torn last line.
func (j *FileJournal) load() error {
	r := bufio.NewReaderSize(j.f, 256<<10)
	var off int64
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) { // a long line: copy before reading on
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				if len(long) > maxJournalLine {
					return fmt.Errorf("broadcast: journal %s line %d: longer than %d bytes", j.path, lineNo, maxJournalLine)
				}
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err == io.EOF {
			if len(line) > 0 { // torn write of a claim whose Put never returned
				if err := j.f.Truncate(off); err != nil {
					return fmt.Errorf("broadcast: journal %s: cutting off a torn last line: %w", j.path, err)
				}
				if err := j.f.Sync(); err != nil {
					return fmt.Errorf("broadcast: journal %s: %w", j.path, err)
				}
			}
			break
		}
		if err != nil {
			return fmt.Errorf("broadcast: reading journal %s: %w", j.path, err)
		}
		var key struct {
			PSID  string `json:"psid"`
			State State  `json:"state"`
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if err := json.Unmarshal(line, &key); err != nil || key.PSID == "" || key.State == "" {
				return fmt.Errorf("broadcast: journal %s line %d is not an entry: %q", j.path, lineNo, preview(string(line)))
			}
			j.index[key.PSID] = slot{off: off, n: int32(len(line))}
			j.written++
		}
		off += int64(len(line))
	}
	j.size = off
	j.synced = j.written
	if _, err := j.f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("broadcast: journal %s: %w", j.path, err)
	}
	return nil
}

// Get returns the newest entry for psid.
func (j *FileJournal) Get(_ context.Context, psid string) (Entry, bool, error) {
	j.mu.Lock()
	s, ok := j.index[psid]
	broken := j.broken
	j.mu.Unlock()
	if broken != nil {
		return Entry{}, false, broken
	}
	if !ok {
		return Entry{}, false, nil
	}
	buf := make([]byte, s.n)
	if _, err := j.f.ReadAt(buf, s.off); err != nil {
		return Entry{}, false, fmt.Errorf("broadcast: reading journal %s: %w", j.path, err)
	}
	var e Entry
	if err := json.Unmarshal(buf, &e); err != nil {
		return Entry{}, false, fmt.Errorf("broadcast: journal %s at byte %d: %w", j.path, s.off, err)
	}
	return e, true, nil
}

// Put appends e. A claim is durable when Put returns.
func (j *FileJournal) Put(_ context.Context, e Entry) error {
	line, err := json.Marshal(&e)
	if err != nil {
		return fmt.Errorf("broadcast: encoding journal entry: %w", err)
	}
	line = append(line, '\n')
	if len(line) > maxJournalLine {
		return fmt.Errorf("broadcast: journal entry for %s is %d bytes, more than %d", e.PSID, len(line), maxJournalLine)
	}
	j.mu.Lock()
	if j.broken != nil {
		j.mu.Unlock()
		return j.broken
	}
	n, err := j.f.Write(line)
	if err != nil {
		j.broken = fmt.Errorf("broadcast: writing journal %s: %w", j.path, err)
		j.mu.Unlock()
		return j.broken
	}
	j.index[e.PSID] = slot{off: j.size, n: int32(n)}
	j.size += int64(n)
	j.written++
	seq := j.written
	j.mu.Unlock()
	if e.State == StateClaimed {
		return j.syncTo(seq)
	}
	return nil
}

// syncTo returns once line seq is on disk; one fsync covers every line written
// before it started.
func (j *FileJournal) syncTo(seq uint64) error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= seq {
		return nil
	}
	j.mu.Lock()
	target, broken := j.written, j.broken
	j.mu.Unlock()
	if broken != nil {
		return broken
	}
	if err := j.f.Sync(); err != nil {
		j.mu.Lock()
		j.broken = fmt.Errorf("broadcast: syncing journal %s: %w", j.path, err)
		j.mu.Unlock()
		return j.broken
	}
	j.synced = target
	return nil
}

// Len is the number of recipients the journal holds an entry for.
func (j *FileJournal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.index)
}

// Close syncs and closes the file.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	seq := j.written
	j.mu.Unlock()
	err := j.syncTo(seq)
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	return err
}
