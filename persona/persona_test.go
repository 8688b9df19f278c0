package persona

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomessenger/messenger"
	"github.com/gomessenger/messenger/tags"
)

func TestCreateGetDelete(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t)
	p := f.newClient(t)
	ctx := context.Background()

	anna, err := p.Create(ctx, "Anna", "https://example.com/anna.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want := Persona{ID: "1001", Name: "Anna", ProfilePictureURL: "https://example.com/anna.jpg"}
	if diff := cmp.Diff(want, anna); diff != "" {
		t.Errorf("Create (-want +got):\n%s", diff)
	}
	got, err := p.Get(ctx, anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if err := p.Delete(ctx, anna.ID); err != nil {
		t.Fatal(err)
	}
	_, err = p.Get(ctx, anna.ID)
	var ge *messenger.GraphError
	if !errors.As(err, &ge) || ge.Code != 100 {
		t.Errorf("Get after Delete: %v, want Graph error 100", err)
	}
	// Delete dropped Anna from the cache: Ensure creates her again.
	again, err := p.Ensure(ctx, "Anna", "https://example.com/anna.jpg")
	if err != nil || again.ID == anna.ID {
		t.Errorf("Ensure after Delete = %+v, %v; want a new persona", again, err)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t)
	p := f.newClient(t)
	ctx := context.Background()
	tests := []struct {
		name, pic, wantField string
	}{
		{"", "https://example.com/a.jpg", "name"},
		{strings.Repeat("ä", MaxNameLen+1), "https://example.com/a.jpg", "name"},
		{"Anna", "", "profile_picture_url"},
		{"Anna", "/anna.jpg", "profile_picture_url"},
		{"Anna", "ftp://example.com/a.jpg", "profile_picture_url"},
	}
	for _, tt := range tests {
		for op, call := range map[string]func() error{
			"Create": func() error { _, err := p.Create(ctx, tt.name, tt.pic); return err },
			"Ensure": func() error { _, err := p.Ensure(ctx, tt.name, tt.pic); return err },
		} {
			err := call()
			var ve *messenger.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.wantField || !errors.Is(err, messenger.ErrInvalidRequest) {
				t.Errorf("%s(%q, %q) = %v, want a ValidationError on %s", op, tt.name, tt.pic, err, tt.wantField)
			}
		}
	}
	if _, err := p.Create(ctx, strings.Repeat("ä", MaxNameLen), "https://example.com/a.jpg"); err != nil {
		t.Errorf("Create with a %d-character name: %v", MaxNameLen, err)
	}
	if _, err := p.Get(ctx, ""); !errors.Is(err, messenger.ErrInvalidRequest) {
		t.Errorf("Get(\"\") = %v", err)
	}
	if err := p.Delete(ctx, ""); !errors.Is(err, messenger.ErrInvalidRequest) {
		t.Errorf("Delete(\"\") = %v", err)
	}
	if n := f.creates.Load(); n != 1 {
		t.Errorf("%d creates reached Graph, want 1", n)
	}
}

func TestListFollowsCursorsAcrossThreePages(t *testing.T) {
	t.Parallel()
	names := []string{"Anna", "Ben", "Carla", "Dev", "Emil", "Fay", "Gus"}
	f := newFakePersonas(t, names...)
	p := f.newClient(t, WithPageSize(3))
	var got []string
	for per, err := range p.List(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, per.Name)
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	wantQueries := []string{
		"fields=id%2Cname%2Cprofile_picture_url&limit=3",
		"after=cursor-3&fields=id%2Cname%2Cprofile_picture_url&limit=3",
		"after=cursor-6&fields=id%2Cname%2Cprofile_picture_url&limit=3",
	}
	f.mu.Lock()
	queries := f.queries
	f.mu.Unlock()
	for i := range queries {
		queries[i] = stripAuth(queries[i])
	}
	if diff := cmp.Diff(wantQueries, queries); diff != "" {
		t.Errorf("list requests (-want +got):\n%s", diff)
	}
}

func stripAuth(rawQuery string) string {
	var keep []string
	for _, kv := range strings.Split(rawQuery, "&") {
		if !strings.HasPrefix(kv, "access_token=") && !strings.HasPrefix(kv, "appsecret_proof=") {
			keep = append(keep, kv)
		}
	}
	return strings.Join(keep, "&")
}

func TestListStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t, "Anna", "Ben", "Carla", "Dev")
	p := f.newClient(t, WithPageSize(2))
	for range p.List(context.Background()) {
		break
	}
	if n := f.lists.Load(); n != 1 {
		t.Errorf("%d list requests after break, want 1", n)
	}
}

func TestListYieldsError(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t, "Anna")
	c, _ := messenger.New("wrong-token", messenger.WithBaseURL(f.srv.URL), messenger.WithRetry(messenger.RetryPolicy{MaxAttempts: 1}))
	var errs []error
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range p.List(context.Background()) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], messenger.ErrInvalidToken) {
		t.Errorf("List with a bad token yielded %v", errs)
	}
}

func TestEnsureFindsExistingPersona(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t, "Anna", "Ben", "Carla", "Dev", "Emil")
	p := f.newClient(t, WithPageSize(2))
	ctx := context.Background()
	emil, err := p.Ensure(ctx, "Emil", "https://example.com/other.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if emil.ID != "1005" || emil.ProfilePictureURL != "https://example.com/Emil.jpg" {
		t.Errorf("Ensure(Emil) = %+v, want the existing persona 1005", emil)
	}
	if _, err := p.Ensure(ctx, "Anna", "https://example.com/x.jpg"); err != nil {
		t.Fatal(err)
	}
	if c, l := f.creates.Load(), f.lists.Load(); c != 0 || l != 3 {
		t.Errorf("%d creates and %d list requests, want 0 and one listing of 3 pages", c, l)
	}
}

func TestEnsureIdempotentUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t, "Ben")
	p := f.newClient(t)
	const callers = 200
	names := []string{"Anna", "Ben", "Carla"}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		ids   = map[string]map[string]bool{}
	)
	for i := range callers {
		name := names[i%len(names)]
		wg.Go(func() {
			<-start
			per, err := p.Ensure(context.Background(), name, "https://example.com/"+name+".jpg")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			if ids[name] == nil {
				ids[name] = map[string]bool{}
			}
			ids[name][per.ID] = true
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	for _, name := range names {
		if len(ids[name]) != 1 {
			t.Errorf("Ensure(%s) returned ids %v, want one", name, ids[name])
		}
	}
	if c, l := f.creates.Load(), f.lists.Load(); c != 2 || l != 1 {
		t.Errorf("%d creates and %d lists, want 2 creates (Anna, Carla) and 1 list", c, l)
	}
}

func TestEnsureWaiterOutlivesCancelledLeader(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t)
	p := f.newClient(t)
	// A leader whose context is already cancelled fails; the next caller must not
	// inherit that failure.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Ensure(cancelled, "Anna", "https://example.com/a.jpg"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Ensure with a cancelled context: %v", err)
	}
	if _, err := p.Ensure(context.Background(), "Anna", "https://example.com/a.jpg"); err != nil {
		t.Fatalf("Ensure after a cancelled one: %v", err)
	}
}

func TestSendAsPersona(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t)
	p := f.newClient(t)
	ctx := context.Background()
	to := messenger.PSID("PSID_1")
	if err := p.TypingOn(ctx, "1001", to); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendText(ctx, "1001", to, "Hi, I'm Anna from support."); err != nil {
		t.Fatal(err)
	}
	if err := p.TypingOff(ctx, "1001", to); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"recipient": map[string]any{"id": "PSID_1"}, "sender_action": "typing_on", "persona_id": "1001"},
		{"recipient": map[string]any{"id": "PSID_1"}, "messaging_type": "RESPONSE", "message": map[string]any{"text": "Hi, I'm Anna from support."}, "persona_id": "1001"},
		{"recipient": map[string]any{"id": "PSID_1"}, "sender_action": "typing_off", "persona_id": "1001"},
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if diff := cmp.Diff(want, f.sends); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
	if _, err := p.SendText(ctx, "", to, "x"); !errors.Is(err, messenger.ErrInvalidRequest) {
		t.Errorf("SendText without persona: %v", err)
	}
	_ = fmt.Sprint
}

func TestSendTextAs(t *testing.T) {
	t.Parallel()
	f := newFakePersonas(t)
	p := f.newClient(t)
	ctx := t.Context()
	to := messenger.PSID("PSID_1")
	if _, err := p.SendTextAs(ctx, "1001", to, messenger.Tagged(tags.HumanAgent), "Sorry for the wait."); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SendTextAs(ctx, "1001", to, messenger.Update, "Your ticket is closed."); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"recipient": map[string]any{"id": "PSID_1"}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT", "message": map[string]any{"text": "Sorry for the wait."}, "persona_id": "1001"},
		{"recipient": map[string]any{"id": "PSID_1"}, "messaging_type": "UPDATE", "message": map[string]any{"text": "Your ticket is closed."}, "persona_id": "1001"},
	}
	f.mu.Lock()
	if diff := cmp.Diff(want, f.sends); diff != "" {
		t.Errorf("sends (-want +got):\n%s", diff)
	}
	f.mu.Unlock()
	if _, err := p.SendTextAs(ctx, "1001", to, messenger.MessagingType{}, "x"); !errors.Is(err, messenger.ErrInvalidRequest) {
		t.Errorf("SendTextAs without a messaging type: %v, want ErrInvalidRequest", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	c, err := messenger.New("page-token")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		client *messenger.Client
		opt    Option
		want   []string // the option, the limit and the value, in the error
	}{
		{"zero page size", c, WithPageSize(0), []string{"WithPageSize", "at least 1", "got 0"}},
		{"negative page size", c, WithPageSize(-2), []string{"WithPageSize", "at least 1", "got -2"}},
		{"nil option", c, nil, []string{"nil Option"}},
		{"nil client", nil, WithPageSize(10), []string{"New", "client must not be nil"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.client, tt.opt)
			if err == nil {
				t.Fatalf("New returned %v and no error", p)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
