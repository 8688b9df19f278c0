package messengertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gomessenger/messenger"
)

// User is a simulated person talking to the fake Page. Each action changes the Page's
// state as the platform would (windows, tokens, comments) and is delivered as a signed
// webhook to the target set with SetWebhook or SetWebhookURL. An action returns the
// delivery's error (a non-2xx answer, for instance); the state change happens either
// way.
type User struct {
	srv  *Server
	psid string
}

// User returns the simulated person with this PSID, creating them on first use. A
// person the fake never saw act cannot be messaged: a send to them fails with
// 100/2018001 until they act, and with 10/2018278 while their window is closed.
func (s *Server) User(psid string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.user(psid, s.cfg.appID)
	return &User{srv: s, psid: psid}
}

// PSID is the person's page-scoped id.
func (u *User) PSID() string { return u.psid }

// SetName sets the names the user profile endpoint answers for this person.
func (u *User) SetName(first, last string) *User {
	u.srv.mu.Lock()
	defer u.srv.mu.Unlock()
	us := u.srv.st.user(u.psid, u.srv.cfg.appID)
	us.firstName, us.lastName = first, last
	return u
}

// act runs a state change under the lock and delivers the event it returns (if any)
// as a messaging or standby entry. The events are the SDK's own types, so the fake
// sends exactly the JSON the SDK's parser reads.
func (u *User) act(change func(st *state, us *userState, now time.Time) (messenger.Event, error)) error {
	s := u.srv
	s.mu.Lock()
	st := s.st
	us := st.user(u.psid, s.cfg.appID)
	now := st.now
	ev, err := change(st, us, now)
	standby := us.owner != "" && us.owner != s.cfg.appID
	s.mu.Unlock()
	if err != nil || ev == nil {
		return err
	}
	switch ev.(type) {
	case *messenger.PassThreadControlEvent, *messenger.TakeThreadControlEvent, *messenger.RequestThreadControlEvent:
		standby = false // handover events are about the app itself
	}
	in := ev.Info()
	in.PageID = s.cfg.pageID
	if in.Sender == (messenger.Party{}) {
		in.Sender = messenger.Party{ID: u.psid}
	}
	in.Recipient = messenger.Party{ID: s.cfg.pageID}
	in.Time = now
	in.Standby = standby
	item, err := ev.MarshalJSON()
	if err != nil {
		return err
	}
	return s.emit(messagingEntry(s.cfg.pageID, now, standby, item))
}

// opened records a window-opening action; message says it was a message.
func opened(us *userState, now time.Time, message bool) {
	us.seen = true
	us.lastAction = now
	us.afterWindow = 0
	if message {
		us.lastMessage = now
		if us.adClicked { // an ad click followed by a message opens the ad window
			us.lastAd, us.adClicked = now, false
		}
	}
}

// Says sends a text message to the Page, which opens the 24-hour window, and returns
// its mid.
func (u *User) Says(text string) (string, error) {
	var mid string
	err := u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		opened(us, now, true)
		mid = st.newMID()
		st.mids[mid] = us.psid
		return &messenger.MessageEvent{Message: messenger.ReceivedMessage{MID: mid, Text: text}}, nil
	})
	return mid, err
}

// TapsQuickReply taps a quick reply: a message whose text is the title and whose
// quick_reply.payload is the payload (docs/platform.md, “Quick replies”). It returns the mid.
func (u *User) TapsQuickReply(title, payload string) (string, error) {
	var mid string
	err := u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		opened(us, now, true)
		mid = st.newMID()
		st.mids[mid] = us.psid
		return &messenger.MessageEvent{Message: messenger.ReceivedMessage{MID: mid, Text: title, QuickReply: &messenger.QuickReplyPayload{Payload: payload}}}, nil
	})
	return mid, err
}

// TapsPostback taps a postback button (template button, persistent menu, Get
// Started), which opens the window. It returns the postback's mid.
func (u *User) TapsPostback(title, payload string) (string, error) {
	var mid string
	err := u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		opened(us, now, false)
		mid = st.newMID()
		return &messenger.PostbackEvent{MID: mid, Title: title, Payload: payload}, nil
	})
	return mid, err
}

// OpensLink follows an m.me link with ref (docs/platform.md, “m.me links”). Into an existing
// conversation it delivers a referral event and opens the window. A person new to the
// Page gets the ref through the Get Started postback, so it is delivered only when
// the Messenger Profile has get_started; without it nothing is delivered, as on Meta.
func (u *User) OpensLink(ref string) error {
	return u.arrive(&messenger.Referral{Ref: ref, Source: "SHORTLINK", Type: "OPEN_THREAD"})
}

// ArrivesFromAd opens the conversation from a Click-to-Messenger ad with an optional
// ref, delivered like OpensLink with source ADS and the ad's context. The person's
// next message opens the ad's longer window (policy.RuleAdWindow).
func (u *User) ArrivesFromAd(adID, ref string) error {
	return u.arrive(&messenger.Referral{Ref: ref, AdID: adID, Source: "ADS", Type: "OPEN_THREAD",
		AdsContext: &messenger.AdsContext{AdTitle: "Ad " + adID}})
}

// ArrivesFromChatPlugin opens the Page's chat plugin on the website refererURI with
// an optional ref: the Page receives a referral with source CUSTOMER_CHAT_PLUGIN
// (docs/platform.md, “Webhook events”), which opens the window. Since Graph v7.0 the sender of a
// plugin referral is a user_ref, not a PSID, so the simulated person arrives by
// user_ref: the one from an earlier ChecksBox, or a new one the fake makes up (see
// UserRef). The Page may answer with recipient user_ref. Unlike OpensLink the
// referral is delivered whether or not the thread existed, since the plugin is the
// thread's start. The person's later actions (Says, …) carry their PSID, as for a
// visitor logged in to Facebook.
func (u *User) ArrivesFromChatPlugin(ref, refererURI string) error {
	return u.arriveFromPlugin(ref, refererURI, false)
}

// ArrivesFromChatPluginAsGuest is ArrivesFromChatPlugin for a visitor in guest mode
// (no Facebook login): the referral carries is_guest_user true. A guest is known to
// the Page only by user_ref, so tests should answer them by UserRef. The field's
// shape follows the SDK's messenger.Referral; Meta's documents do not confirm it.
func (u *User) ArrivesFromChatPluginAsGuest(ref, refererURI string) error {
	return u.arriveFromPlugin(ref, refererURI, true)
}

func (u *User) arriveFromPlugin(ref, refererURI string, guest bool) error {
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		if us.userRef == "" {
			us.userRef = fmt.Sprintf("uref_fake%012d", st.next())
			st.userRefs[us.userRef] = us.psid
		}
		opened(us, now, false)
		ev := &messenger.ReferralEvent{Referral: messenger.Referral{Ref: ref, Source: "CUSTOMER_CHAT_PLUGIN",
			Type: "OPEN_THREAD", RefererURI: refererURI, IsGuestUser: guest}}
		ev.Sender = messenger.Party{UserRef: us.userRef}
		return ev, nil
	})
}

// UserRef is the user_ref the Page knows this person by (from ChecksBox or
// ArrivesFromChatPlugin); "" when it knows none.
func (u *User) UserRef() string {
	u.srv.mu.Lock()
	defer u.srv.mu.Unlock()
	return u.srv.st.user(u.psid, u.srv.cfg.appID).userRef
}

// TapsIceBreaker taps one of the ice breakers of the Messenger Profile (docs/platform.md, “Messenger Profile”)
// in a new or existing conversation. The tap arrives as a message whose text is the
// question and whose quick_reply.payload is the ice breaker's payload (docs/platform.md, “The 24-hour window”
// counts ice-breaker taps as messages), exactly like TapsQuickReply, and opens the
// window. The fake does not check that the Profile lists the question. It returns
// the mid.
func (u *User) TapsIceBreaker(question, payload string) (string, error) {
	return u.TapsQuickReply(question, payload)
}

func (u *User) arrive(ref *messenger.Referral) error {
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		if ref.Source == "ADS" {
			us.adClicked = true
		}
		if us.seen {
			opened(us, now, false)
			return &messenger.ReferralEvent{Referral: *ref}, nil
		}
		payload, ok := getStartedPayload(st)
		if !ok {
			return nil, nil
		}
		opened(us, now, false)
		return &messenger.PostbackEvent{MID: st.newMID(), Title: "Get Started", Payload: payload, Referral: ref}, nil
	})
}

func getStartedPayload(st *state) (string, bool) {
	raw, ok := st.profile["get_started"]
	if !ok {
		return "", false
	}
	var gs struct {
		Payload string `json:"payload"`
	}
	if json.Unmarshal(raw, &gs) != nil {
		return "", false
	}
	return gs.Payload, true
}

// OptsIn taps "Notify me" on a one-time notification request about topic (the
// request's payload) and returns the one-time token the Page receives in the optin
// webhook (docs/platform.md, “One-time notifications”). The token allows one message within a year.
func (u *User) OptsIn(topic string) (string, error) {
	var token string
	err := u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		token = fmt.Sprintf("otn_fake%012d", st.next())
		st.tokens[token] = &otnToken{value: token, psid: us.psid, topic: topic, issued: now}
		return &messenger.OptinEvent{Type: "one_time_notif_req", Payload: topic, OneTimeNotifToken: token}, nil
	})
	return token, err
}

// ChecksBox ticks the checkbox plugin on a website: the Page receives an optin with
// userRef and may message the person with recipient user_ref (docs/platform.md, “Recipients”, “Webhook events”).
func (u *User) ChecksBox(userRef string) error {
	if userRef == "" {
		return errors.New("messengertest: ChecksBox: empty user_ref")
	}
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		us.lastAction = now
		us.userRef = userRef
		st.userRefs[userRef] = us.psid
		ev := &messenger.OptinEvent{UserRef: userRef}
		ev.Sender = messenger.Party{UserRef: userRef}
		return ev, nil
	})
}

var reactionEmoji = map[string]string{
	"like": "\U0001F44D", "love": "\u2764\uFE0F", "smile": "\U0001F606", "wow": "\U0001F62E",
	"sad": "\U0001F622", "angry": "\U0001F620", "dislike": "\U0001F44E", "other": "",
}

// Reacts reacts to message mid with reaction (like, love, smile, wow, sad, angry,
// dislike, other), which opens the window.
func (u *User) Reacts(mid, reaction string) error {
	emoji, ok := reactionEmoji[reaction]
	if !ok {
		return fmt.Errorf("messengertest: Reacts: reaction must be like, love, smile, wow, sad, angry, dislike or other; got %q", reaction)
	}
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		opened(us, now, false)
		return &messenger.ReactionEvent{Reaction: reaction, Emoji: emoji, Action: "react", MID: mid}, nil
	})
}

// Reads reads every message of the conversation up to now (a read event with the
// fake clock's time as watermark). Reading does not open the window.
func (u *User) Reads() error {
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		return &messenger.ReadEvent{Watermark: now}, nil
	})
}

// DefaultPostID is the Page post that Comments comments on.
func (s *Server) DefaultPostID() string { return s.cfg.pageID + "_900000000000001" }

// Comments comments on the Page's default post and returns the comment id, which
// allows one private reply within seven days. The Page receives a feed webhook; a
// comment does not open the standard window (docs/platform.md, “Private replies”).
func (u *User) Comments(message string) (string, error) {
	return u.CommentsOn(u.srv.DefaultPostID(), message)
}

// CommentsOn comments on the Page post postID and returns the comment id.
func (u *User) CommentsOn(postID, message string) (string, error) {
	return u.feed(postID, message, false)
}

// PostsOnPage publishes a visitor post on the Page and returns its post id, which
// allows one private reply (recipient post_id) within seven days.
func (u *User) PostsOnPage(message string) (string, error) {
	return u.feed("", message, true)
}

func (u *User) feed(postID, message string, visitorPost bool) (string, error) {
	s := u.srv
	s.mu.Lock()
	st := s.st
	us := st.user(u.psid, s.cfg.appID)
	now := st.now
	n := st.next()
	cm := &comment{postID: postID, psid: u.psid, message: message, created: now, isPost: visitorPost}
	ev := &messenger.FeedEvent{Field: "feed", Verb: "add", Message: message, CreatedTime: now,
		From: messenger.Party{ID: u.psid, Name: us.firstName + " " + us.lastName}}
	if visitorPost {
		cm.id = fmt.Sprintf("%s_%d", s.cfg.pageID, 800000000000000+n)
		ev.Item, ev.PostID = "status", cm.id
	} else {
		cm.id = fmt.Sprintf("%s_%d", postSuffix(postID), 700000000000000+n)
		ev.Item, ev.PostID, ev.CommentID, ev.ParentID = "comment", postID, cm.id, postID
	}
	st.comments[cm.id] = cm
	s.mu.Unlock()
	ev.PageID, ev.Sender, ev.Time = s.cfg.pageID, ev.From, now
	change, err := ev.MarshalJSON()
	if err != nil {
		return cm.id, err
	}
	return cm.id, s.emit(feedEntry(s.cfg.pageID, now, change))
}

func postSuffix(postID string) string {
	for i := len(postID) - 1; i >= 0; i-- {
		if postID[i] == '_' {
			return postID[i+1:]
		}
	}
	return postID
}

// Blocks makes the person block the Page: sends to them fail with 551.
func (u *User) Blocks() { u.setBlocked(true) }

// Unblocks undoes Blocks.
func (u *User) Unblocks() { u.setBlocked(false) }

func (u *User) setBlocked(b bool) {
	u.srv.mu.Lock()
	defer u.srv.mu.Unlock()
	u.srv.st.user(u.psid, u.srv.cfg.appID).blocked = b
}

// HandOver moves control of this person's thread to appID, as another app (or a
// human in Page Inbox) would, and tells the fake's app: a pass_thread_control event
// when the thread comes to it, a take_thread_control event when it is taken from it
// (docs/platform.md, “Webhook events”). While another app controls the thread, the fake's app cannot
// send to the person (10/2018300) and receives their events on standby.
func (u *User) HandOver(appID, metadata string) error {
	s := u.srv
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		prev := us.owner
		us.owner = appID
		switch {
		case appID == s.cfg.appID && prev != appID:
			return &messenger.PassThreadControlEvent{PreviousOwnerAppID: prev, NewOwnerAppID: appID, Metadata: metadata}, nil
		case prev == s.cfg.appID && appID != prev:
			return &messenger.TakeThreadControlEvent{PreviousOwnerAppID: prev, NewOwnerAppID: appID, Metadata: metadata}, nil
		}
		return nil, nil
	})
}

// RequestsThread makes app appID ask the fake's app for control of the thread: the
// fake's app receives a request_thread_control event.
func (u *User) RequestsThread(appID, metadata string) error {
	return u.act(func(st *state, us *userState, now time.Time) (messenger.Event, error) {
		return &messenger.RequestThreadControlEvent{RequestedOwnerAppID: appID, Metadata: metadata}, nil
	})
}
