package messengertest

import (
	"encoding/json"
	"fmt"
	"time"
)

// state is everything the fake Page knows; Server.mu guards it.
type state struct {
	start       time.Time
	now         time.Time
	seq         int64
	users       map[string]*userState
	tokens      map[string]*otnToken
	recurring   map[string]*recurringToken
	personas    []*persona
	comments    map[string]*comment
	attachments map[string]bool
	profile     map[string]json.RawMessage
	mids        map[string]string // message id → PSID of the conversation it is in
	userRefs    map[string]string // user_ref → PSID
	records     []SendRecord
	webhooks    []Webhook
	pending     []pendingEvent
	faults      []*faultState

	subscription subscription // the app's installation on the Page (subscribed_apps)
}

func newState(start time.Time) *state {
	return &state{
		start:       start,
		now:         start,
		users:       map[string]*userState{},
		tokens:      map[string]*otnToken{},
		recurring:   map[string]*recurringToken{},
		comments:    map[string]*comment{},
		attachments: map[string]bool{},
		profile:     map[string]json.RawMessage{},
		mids:        map[string]string{},
		userRefs:    map[string]string{},
	}
}

// userState is one person as the Page sees them.
type userState struct {
	psid        string
	firstName   string
	lastName    string
	seen        bool      // has ever acted towards the Page (the thread exists)
	lastMessage time.Time // last message (window for HUMAN_AGENT, CUSTOMER_FEEDBACK)
	lastAction  time.Time // last window-opening action of any kind
	lastAd      time.Time // first message after a Click-to-Messenger ad
	adClicked   bool      // clicked an ad and has not written since
	afterWindow int       // Page messages sent since the window closed ("24 + 1")
	userRef     string    // user_ref from a checkbox opt-in
	blocked     bool
	owner       string // app id controlling the thread; "" idle
}

type otnToken struct {
	value  string
	psid   string
	topic  string
	issued time.Time
	used   bool
}

type persona struct {
	id         string
	name       string
	pictureURL string
	deleted    bool
}

type comment struct {
	id       string
	postID   string
	psid     string
	message  string
	created  time.Time
	replied  bool
	isPost   bool // a visitor post rather than a comment
	replyMID string
}

func (st *state) next() int64 {
	st.seq++
	return st.seq
}

// The fake's ids look like Graph's (opaque strings, numeric where Graph's are) and are
// deterministic, so examples can print them.
func (st *state) newMID() string { return fmt.Sprintf("m_fake%012d", st.next()) }

func (st *state) newNumericID(prefix int64) string {
	return fmt.Sprintf("%d", prefix*1_000_000_000_000+st.next())
}

func (st *state) user(psid string, appID string) *userState {
	u, ok := st.users[psid]
	if !ok {
		u = &userState{psid: psid, firstName: "Test", lastName: "User " + psid, owner: appID}
		st.users[psid] = u
	}
	return u
}

func (s *Server) traceID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("AFakeTrace%013d", s.st.next())
}
