package reliability

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomessenger/messenger"
)

// silentServer accepts connections, reads the requests sent on them and never
// answers. It counts the requests that reached it. Everything it holds is
// closed when the test ends.
type silentServer struct {
	ln       net.Listener
	requests atomic.Int32
	mu       sync.Mutex
	conns    []net.Conn
	wg       sync.WaitGroup
}

func newSilentServer(t *testing.T) *silentServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				// A request line counts as a request that reached the server.
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					s.requests.Add(1)
				}
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// client is a client of the server with a 50 ms attempt timeout and up to three
// attempts a call.
func (s *silentServer) client(t *testing.T) *messenger.Client {
	c, err := messenger.New(secToken, messenger.WithBaseURL("http://"+s.ln.Addr().String()),
		messenger.WithAttemptTimeout(50*time.Millisecond),
		messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reached waits until n requests have reached the server (the client may be done
// before the server's reader counted the last one), and returns the count.
func (s *silentServer) reached(n int32) int32 {
	waitUntil(5*time.Second, func() bool { return s.requests.Load() >= n })
	return s.requests.Load()
}

// callWithin runs call and fails the test if it has not returned after guard: on
// a client without an attempt timeout it would never return.
func callWithin(t *testing.T, guard time.Duration, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	timer := time.NewTimer(guard)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		t.Fatalf("the call was still blocked after %s against a server that never answers", guard)
		return nil
	}
}

// TestSendToSilentServerEndsAmbiguous: with context.Background() and a server
// that accepts and never answers, Send returns once the attempt timeout has passed,
// without retrying (the send may have been delivered), and the error says the
// outcome is unknown.
func TestSendToSilentServerEndsAmbiguous(t *testing.T) {
	srv := newSilentServer(t)
	c := srv.client(t)
	err := callWithin(t, 10*time.Second, func() error {
		_, err := c.Send(context.Background(), messenger.SendRequest{To: messenger.PSID(secRecipient),
			Type: messenger.Response, Message: messenger.Text("hello")})
		return err
	})
	if !errors.Is(err, messenger.ErrAmbiguous) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrAmbiguous and context.DeadlineExceeded", err)
	}
	if errors.Is(err, messenger.ErrNotSent) {
		t.Errorf("err = %v matches ErrNotSent, but the request went out", err)
	}
	if got := srv.reached(1); got != 1 {
		t.Errorf("%d attempts reached the server, want 1: a send that may have gone out is not repeated", got)
	}
}

// TestGetFromSilentServerRetries: a read has no effect to repeat, so a timed-out
// GET is tried again, each attempt bounded, and the call still ends.
func TestGetFromSilentServerRetries(t *testing.T) {
	srv := newSilentServer(t)
	c := srv.client(t)
	err := callWithin(t, 10*time.Second, func() error {
		return c.Do(context.Background(), http.MethodGet, "me", nil, nil)
	})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, messenger.ErrAmbiguous) || errors.Is(err, messenger.ErrNotSent) {
		t.Errorf("err = %v, want context.DeadlineExceeded, neither ErrAmbiguous nor ErrNotSent", err)
	}
	if got := srv.reached(3); got != 3 {
		t.Errorf("%d attempts reached the server, want 3", got)
	}
}

// TestLargeUploadUnderDefaultAttemptTimeout: the attempt timeout covers streaming
// the whole file, and the default leaves room for the largest file Graph takes.
func TestLargeUploadUnderDefaultAttemptTimeout(t *testing.T) {
	var received atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received.Store(n)
		_, _ = io.WriteString(w, `{"attachment_id":"1"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := messenger.New(secToken, messenger.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Upload(context.Background(), messenger.UploadFile{Type: messenger.AttachmentFile,
		Body: io.LimitReader(zeroReader{}, messenger.MaxUploadBytes), Name: "big.bin", ContentType: "application/octet-stream"})
	if err != nil || id != "1" {
		t.Fatalf("Upload = %q, %v", id, err)
	}
	if received.Load() < messenger.MaxUploadBytes {
		t.Errorf("server received %d bytes, want at least %d", received.Load(), messenger.MaxUploadBytes)
	}
}

// zeroReader is an endless reader of zero bytes.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
