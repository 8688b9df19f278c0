package messenger

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// countingLimiter lets every call go and counts the waits; refuse makes it fail.
type countingLimiter struct {
	waits  atomic.Int32
	refuse error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.waits.Add(1)
	return l.refuse
}

func TestWithLimiterPerPage(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	made := map[string]*countingLimiter{}
	var calls atomic.Int32
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.WriteString(w, `{}`)
	}, WithPageID("111"), WithLimiter(func(page string) Limiter {
		mu.Lock()
		defer mu.Unlock()
		l := &countingLimiter{}
		made[page] = l
		return l
	}))
	ctx := context.Background()
	require.NoError(t, c.Do(ctx, http.MethodGet, "me", nil, nil))
	require.NoError(t, c.Do(ctx, http.MethodGet, "me", nil, nil))
	other, err := c.ForPage("222", "token-two")
	require.NoError(t, err)
	require.NoError(t, other.Do(ctx, http.MethodGet, "me", nil, nil))
	again, err := c.ForPage("222", "token-two")
	require.NoError(t, err)
	require.NoError(t, again.Do(ctx, http.MethodGet, "me", nil, nil))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, made, 2, "one limiter per Page, made once")
	require.Equal(t, int32(2), made["111"].waits.Load())
	require.Equal(t, int32(2), made["222"].waits.Load())
	require.Equal(t, int32(4), calls.Load())
}

func TestWithLimiterRefusalSendsNothing(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	refused := errors.New("budget spent for this context")
	c, _ := stubGraph(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) },
		WithLimiter(func(string) Limiter { return &countingLimiter{refuse: refused} }))
	err := c.Do(context.Background(), http.MethodPost, "me/messages", map[string]string{}, nil)
	require.ErrorIs(t, err, refused)
	require.ErrorIs(t, err, ErrNotSent)
	require.Zero(t, calls.Load())
}

func TestLimiterOptionsDoNotMix(t *testing.T) {
	t.Parallel()
	_, err := New("t", WithRateLimit(10, 1), WithLimiter(func(string) Limiter { return &countingLimiter{} }))
	require.ErrorContains(t, err, "already limited by WithRateLimit")
	_, err = New("t", WithLimiter(nil))
	require.ErrorContains(t, err, "nil func")
	_, err = New("t", WithRateLimit(10, 1), WithRateLimit(20, 2))
	require.NoError(t, err, "the later WithRateLimit wins")
}
