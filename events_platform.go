package messenger

// PolicyEnforcementEvent tells the app that Meta warned, blocked or unblocked it for a
// policy violation (field "messaging_policy_enforcement", docs/platform.md, “Webhook events”). It has
// no Sender. Both key spellings are accepted: "policy_enforcement" and the older
// "policy-enforcement".
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type PolicyEnforcementEvent struct {
	EventInfo
	// Action is "warning", "block" or "unblock".
	Action string
	// Reason explains the action; absent on "unblock".
	Reason string
}

// AccountLinkingEvent reports that a person linked or unlinked their account (field
// "messaging_account_linking", docs/platform.md, “Webhook events”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type AccountLinkingEvent struct {
	EventInfo
	// Status is "linked" or "unlinked".
	Status string
	// AuthorizationCode is the pass-through code of a "linked" event.
	AuthorizationCode string
}

// MessagingFeedbackEvent carries a person's answers to a customer feedback template
// (field "messaging_feedback", docs/platform.md, “Webhook events”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/templates/customer-feedback-template
type MessagingFeedbackEvent struct {
	EventInfo
	// Screens are the answered screens of the template.
	Screens []FeedbackScreenAnswers
}

// FeedbackScreenAnswers are the answers on one screen of a feedback template.
type FeedbackScreenAnswers struct {
	// ScreenID numbers the screen from 0.
	ScreenID int64 `json:"screen_id"`
	// Questions maps the question ids of the template to the answers.
	Questions map[string]FeedbackAnswer `json:"questions"`
}

// FeedbackAnswer is one answer. Payload is the score as a string ("5") for csat, nps
// and ces questions.
type FeedbackAnswer struct {
	// Type is the question type: "csat", "nps" or "ces".
	Type string `json:"type"`
	// Payload is the score.
	Payload string `json:"payload"`
	// FollowUp is the free-form answer to the follow-up question, if any.
	FollowUp *FeedbackFollowUpAnswer `json:"follow_up,omitempty"`
}

// FeedbackFollowUpAnswer is the free-form follow-up of an answer.
type FeedbackFollowUpAnswer struct {
	// Type is "free_form".
	Type string `json:"type"`
	// Payload is the text the person wrote.
	Payload string `json:"payload"`
}

// GamePlayEvent reports a round of an Instant Game played (field
// "messaging_game_plays", docs/platform.md, “Webhook events”).
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events
type GamePlayEvent struct {
	EventInfo
	// GameID is the app id of the game.
	GameID string
	// PlayerID is the person's Instant Games player id.
	PlayerID string
	// ContextType is "SOLO", "THREAD" or "GROUP".
	ContextType string
	// ContextID identifies the thread or group played in; empty for SOLO.
	ContextID string
	// Score is the best score of the round, when the game reports one.
	Score int64
	// Payload is what the game passed at the end of the round.
	Payload string
}

// Kind returns "policy_enforcement".
func (*PolicyEnforcementEvent) Kind() string { return "policy_enforcement" }

// Kind returns "account_linking".
func (*AccountLinkingEvent) Kind() string { return "account_linking" }

// Kind returns "messaging_feedback".
func (*MessagingFeedbackEvent) Kind() string { return "messaging_feedback" }

// Kind returns "game_play".
func (*GamePlayEvent) Kind() string { return "game_play" }

// MarshalJSON returns the messaging item (see [Event]); an event built in code uses
// the current key "policy_enforcement".
func (e *PolicyEnforcementEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "policy_enforcement", struct {
		Action string `json:"action,omitempty"`
		Reason string `json:"reason,omitempty"`
	}{e.Action, e.Reason})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *AccountLinkingEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "account_linking", struct {
		Status            string `json:"status,omitempty"`
		AuthorizationCode string `json:"authorization_code,omitempty"`
	}{e.Status, e.AuthorizationCode})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *MessagingFeedbackEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	screens := e.Screens
	if screens == nil {
		screens = []FeedbackScreenAnswers{}
	}
	return marshalItem(&e.EventInfo, "messaging_feedback", struct {
		Screens []FeedbackScreenAnswers `json:"feedback_screens"`
	}{screens})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *GamePlayEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "game_play", struct {
		GameID      string `json:"game_id,omitempty"`
		PlayerID    string `json:"player_id,omitempty"`
		ContextType string `json:"context_type,omitempty"`
		ContextID   string `json:"context_id,omitempty"`
		Score       int64  `json:"score,omitempty"`
		Payload     string `json:"payload,omitempty"`
	}{e.GameID, e.PlayerID, e.ContextType, e.ContextID, e.Score, e.Payload})
}

// UnmarshalJSON decodes one messaging item holding a policy_enforcement.
func (e *PolicyEnforcementEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding an account_linking.
func (e *AccountLinkingEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a messaging_feedback.
func (e *MessagingFeedbackEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a game_play.
func (e *GamePlayEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

func (r *jsonReader) policyEnforcement() *PolicyEnforcementEvent {
	e := &PolicyEnforcementEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "action":
			e.Action = r.Str()
		case "reason":
			e.Reason = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}

func (r *jsonReader) accountLinking() *AccountLinkingEvent {
	e := &AccountLinkingEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "status":
			e.Status = r.Str()
		case "authorization_code":
			e.AuthorizationCode = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}

func (r *jsonReader) messagingFeedback() *MessagingFeedbackEvent {
	e := &MessagingFeedbackEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		if r.Key() != "feedback_screens" {
			r.Skip()
			continue
		}
		for ok := r.Enter('['); ok; ok = r.Next(']') {
			var s FeedbackScreenAnswers
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				switch r.Key() {
				case "screen_id":
					s.ScreenID = r.Int()
				case "questions":
					for ok := r.Enter('{'); ok; ok = r.Next('}') {
						id := r.Key()
						a := r.feedbackAnswer()
						if s.Questions == nil {
							s.Questions = make(map[string]FeedbackAnswer)
						}
						s.Questions[id] = a
					}
				default:
					r.Skip()
				}
			}
			e.Screens = append(e.Screens, s)
		}
	}
	return e
}

func (r *jsonReader) feedbackAnswer() FeedbackAnswer {
	var a FeedbackAnswer
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "type":
			a.Type = r.Str()
		case "payload":
			a.Payload = r.Str()
		case "follow_up":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			f := &FeedbackFollowUpAnswer{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				switch r.Key() {
				case "type":
					f.Type = r.Str()
				case "payload":
					f.Payload = r.Str()
				default:
					r.Skip()
				}
			}
			a.FollowUp = f
		default:
			r.Skip()
		}
	}
	return a
}

func (r *jsonReader) gamePlay() *GamePlayEvent {
	e := &GamePlayEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "game_id":
			e.GameID = r.Str()
		case "player_id":
			e.PlayerID = r.Str()
		case "context_type":
			e.ContextType = r.Str()
		case "context_id":
			e.ContextID = r.Str()
		case "score":
			e.Score = r.Int()
		case "payload":
			e.Payload = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}
