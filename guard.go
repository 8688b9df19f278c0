package messenger

import (
	"context"
	"errors"
	"fmt"

	"github.com/gomessenger/messenger/policy"
	"github.com/gomessenger/messenger/store"
)

// ErrPolicyRefused matches a *PolicyError: the policy guard refused a send before
// the network because the platform's rules would refuse it.
var ErrPolicyRefused = errors.New("messenger: refused by policy")

// PolicyError is the policy guard's refusal. Decision says which rule refused,
// why, what Graph would have answered and what would be allowed instead.
// It matches ErrPolicyRefused, and also ErrOutsideWindow, ErrAlreadyReplied,
// ErrInvalidParameter or ErrPermission according to the error Graph would give,
// so callers handle a guarded and an unguarded refusal alike.
type PolicyError struct {
	Decision policy.Decision
}

// Error names the refusing rule and its reason on one line.
func (e *PolicyError) Error() string {
	return "messenger: refused by policy: " + e.Decision.String()
}

// Is matches ErrPolicyRefused and the sentinel of the Graph error the decision
// names (ErrInvalidRequest for bad input).
func (e *PolicyError) Is(target error) bool {
	if target == ErrPolicyRefused {
		return true
	}
	if e.Decision.BadInput() {
		return target == ErrInvalidRequest
	}
	if e.Decision.ErrorCode == 0 {
		return false
	}
	return (&GraphError{Code: e.Decision.ErrorCode, Subcode: e.Decision.ErrorSubcode}).Is(target)
}

// GuardOption adjusts the policy guard. Like every option it checks its argument, and
// WithPolicyGuard fails with its error.
type GuardOption func(*guardConfig) error

type guardConfig struct {
	windows    store.Windows
	rules      *policy.Rules
	humanAgent bool
	newsPage   bool
}

// GuardRules makes the guard judge with rules instead of policy.Default(), for hosts
// that changed a date, a window or an error code.
func GuardRules(rules *policy.Rules) GuardOption {
	return func(g *guardConfig) error {
		if rules == nil {
			return errors.New("messenger: GuardRules: rules must not be nil")
		}
		g.rules = rules
		return nil
	}
}

// GuardHumanAgentApproved tells the guard the app has the Human Agent feature
// (App Review), so HUMAN_AGENT sends within 7 days are allowed.
func GuardHumanAgentApproved() GuardOption {
	return func(g *guardConfig) error {
		g.humanAgent = true
		return nil
	}
}

// GuardNewsPage tells the guard the Page is in the News Page Index, so
// NON_PROMOTIONAL_SUBSCRIPTION is allowed.
func GuardNewsPage() GuardOption {
	return func(g *guardConfig) error {
		g.newsPage = true
		return nil
	}
}

// WithPolicyGuard makes Send ask the policy package before the network whether a
// message to a person (a PSID recipient) is allowed now, using what windows knows
// of that person's last actions (the webhook records them with WithWindows). A
// refused send fails with a *PolicyError and nothing is sent; so does a send whose
// window cannot be read (the guard fails closed).
//
// The guard needs the Page id (WithPageID, or a client from ForPage). It judges
// messages to PSIDs only: sender actions pass; one-time and recurring tokens are
// the otn package's to judge, from its token store; private replies need the
// comment's creation time, which the caller checks with policy.Check.
// SendRequest.Promotional marks content that no tag may carry.
func WithPolicyGuard(windows store.Windows, opts ...GuardOption) Option {
	return func(c *config) error {
		if windows == nil {
			return errors.New("messenger: WithPolicyGuard: nil window store")
		}
		g := &guardConfig{windows: windows}
		for _, o := range opts {
			if o == nil {
				return errors.New("messenger: WithPolicyGuard: nil GuardOption")
			}
			if err := o(g); err != nil {
				return err
			}
		}
		c.guard = g
		return nil
	}
}

// LookupConversation reads what windows knows about user and page as the
// policy.Conversation that policy.Check takes.
func LookupConversation(ctx context.Context, windows store.Windows, page, user string) (policy.Conversation, error) {
	w, err := windows.Window(ctx, page, user)
	if err != nil {
		return policy.Conversation{}, err
	}
	return ConversationOf(w), nil
}

// ConversationOf converts a store.Window to a policy.Conversation.
func ConversationOf(w store.Window) policy.Conversation {
	return policy.Conversation{
		LastUserMessage: w.LastMessage,
		LastUserAction:  w.LastAction.At,
		AdReferral:      w.LastAdReferral,
	}
}

// PolicyRequest describes req the way the policy package sees it, for a
// policy.Check of the host's own.
func (req SendRequest) PolicyRequest() policy.Request {
	pr := policy.Request{
		MessagingType: policy.MessagingType(req.Type.Kind),
		Tag:           req.Type.Tag,
		Recipient:     req.To.policyKind(),
		Promotional:   req.Promotional,
	}
	if req.Message != nil && req.Message.Attachment != nil && req.Message.Attachment.Template != nil {
		pr.Template = req.Message.Attachment.Template.TemplateType()
	}
	return pr
}

func (r Recipient) policyKind() policy.RecipientKind {
	switch {
	case r.UserRef != "":
		return policy.UserRef
	case r.CommentID != "":
		return policy.Comment
	case r.PostID != "":
		return policy.Post
	case r.OneTimeNotifToken != "":
		return policy.OTNToken
	case r.NotificationMessagesToken != "":
		return policy.RecurringToken
	case r.PhoneNumber != "":
		return policy.Phone
	}
	return policy.PSID
}

// CheckPolicy asks the policy guard about req without sending it: the decision
// Send would act on, with the guard's rules and options, and the conversation read
// from its window store. Support desks use it before taking a thread back from a
// human, for example. It fails when the client has no guard (WithPolicyGuard) or
// no Page id, or when the window store cannot be read. Requests the guard does not
// judge (sender actions, non-PSID recipients) get an allowed decision with Rule "".
func (c *Client) CheckPolicy(ctx context.Context, req SendRequest) (policy.Decision, error) {
	g := c.cfg.guard
	if g == nil {
		return policy.Decision{}, errors.New("messenger: CheckPolicy needs WithPolicyGuard")
	}
	if req.Message == nil || req.To.ID == "" {
		return policy.Decision{Allowed: true, Reason: "not judged by the guard: only messages to a PSID are"}, nil
	}
	if c.pageID == "" {
		return policy.Decision{}, errors.New("messenger: the policy guard needs the Page id: use WithPageID or ForPage")
	}
	conv, err := LookupConversation(ctx, g.windows, c.pageID, req.To.ID)
	if err != nil {
		return policy.Decision{}, fmt.Errorf("messenger: policy guard: reading the conversation window: %w", err)
	}
	pr := req.PolicyRequest()
	pr.HumanAgentApproved = g.humanAgent
	pr.NewsPage = g.newsPage
	if g.rules != nil {
		return g.rules.Check(pr, conv, c.Now()), nil
	}
	return policy.Check(pr, conv, c.Now()), nil
}

// checkPolicy is the guard's part of Send.
func (c *Client) checkPolicy(ctx context.Context, req *SendRequest) error {
	if c.cfg.guard == nil {
		return nil
	}
	d, err := c.CheckPolicy(ctx, *req)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return &PolicyError{Decision: d}
	}
	return nil
}
