package messenger

import (
	"encoding/json"
	"strings"
)

// CustomerFeedbackTemplate asks for a rating and optional free-form feedback
// (docs/platform.md, “Templates”). It needs exactly one screen with exactly one question;
// answers arrive as messaging_feedback webhooks. Outside the 24-hour window it is
// sent with Tagged(tags.CustomerFeedback) within 7 days of the person's last message.
//
// Graph API docs: https://developers.facebook.com/docs/messenger-platform/send-messages/templates/customer-feedback-template
type CustomerFeedbackTemplate struct {
	// Title is at most 65 characters, without URLs.
	Title string `json:"title"`
	// Subtitle is at most 80 characters, without URLs.
	Subtitle string `json:"subtitle,omitempty"`
	// ButtonTitle is at most 20 characters, without URLs.
	ButtonTitle     string           `json:"button_title"`
	FeedbackScreens []FeedbackScreen `json:"feedback_screens"`
	// BusinessPrivacy links the business's privacy policy; required.
	BusinessPrivacy BusinessPrivacy `json:"business_privacy"`
	// ExpiresInDays is 1 to 7; 0 sends nothing and the platform uses 1.
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

// FeedbackScreen is one screen of a customer feedback template.
type FeedbackScreen struct {
	Questions []FeedbackQuestion `json:"questions"`
}

// FeedbackQuestion is the question of a feedback screen.
type FeedbackQuestion struct {
	// ID is unique, letters, digits and underscores, at most 80 characters.
	ID   string       `json:"id"`
	Type FeedbackType `json:"type"`
	// Title replaces the default question; 5 to 85 characters.
	Title string `json:"title,omitempty"`
	// ScoreLabel labels the ends of the scale.
	ScoreLabel ScoreLabel `json:"score_label,omitempty"`
	// ScoreOption picks the scale; it must fit Type.
	ScoreOption ScoreOption       `json:"score_option,omitempty"`
	FollowUp    *FeedbackFollowUp `json:"follow_up,omitempty"`
}

// FeedbackFollowUp is the optional free-form follow-up of a question.
type FeedbackFollowUp struct {
	// Type is "free_form".
	Type string `json:"type"`
	// Placeholder is at most 65 characters.
	Placeholder string `json:"placeholder,omitempty"`
}

// BusinessPrivacy links a privacy policy.
type BusinessPrivacy struct {
	URL string `json:"url"`
}

// FeedbackType is the kind of a feedback question.
type FeedbackType string

// The feedback question types.
const (
	FeedbackCSAT     FeedbackType = "csat"      // satisfaction, 1–5
	FeedbackNPS      FeedbackType = "nps"       // net promoter score, 0–10
	FeedbackCES      FeedbackType = "ces"       // customer effort score, 1–7
	FeedbackFreeForm FeedbackType = "free_form" // free text, up to 400 characters
)

// ScoreLabel labels the ends of a feedback scale.
type ScoreLabel string

// The score labels.
const (
	ScoreNegPos    ScoreLabel = "neg_pos"
	ScoreHardEasy  ScoreLabel = "hard_easy"
	ScoreDisSat    ScoreLabel = "dis_sat"
	ScoreUnlike    ScoreLabel = "unlike_like"
	ScorePoorGreat ScoreLabel = "poor_great"
	ScoreNone      ScoreLabel = "none"
)

// ScoreOption is the scale of a feedback question.
type ScoreOption string

// The score options: csat takes OneToFive, FiveStars (default) or FiveEmojis; nps
// takes ZeroToTen; ces takes OneToSeven.
const (
	ScoreOneToFive  ScoreOption = "one_to_five"
	ScoreFiveStars  ScoreOption = "five_stars"
	ScoreFiveEmojis ScoreOption = "five_emojis"
	ScoreZeroToTen  ScoreOption = "zero_to_ten"
	ScoreOneToSeven ScoreOption = "one_to_seven"
)

// Limits of feedback questions.
const (
	MaxFeedbackQuestionID    = 80 // characters of a question id
	MinFeedbackQuestionTitle = 5  // characters of a custom question title
	MaxFeedbackQuestionTitle = 85
	MaxFeedbackPlaceholder   = 65 // characters of a follow-up placeholder
	MaxFeedbackExpiryDays    = 7
)

// TemplateType returns "customer_feedback".
func (*CustomerFeedbackTemplate) TemplateType() string { return "customer_feedback" }

type feedbackFields CustomerFeedbackTemplate

func (t *CustomerFeedbackTemplate) templatePayload() any {
	return struct {
		TemplateType string `json:"template_type"`
		*feedbackFields
	}{"customer_feedback", (*feedbackFields)(t)}
}

// MarshalJSON encodes t as the wire template payload, template_type included.
func (t *CustomerFeedbackTemplate) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.templatePayload())
}

// noURL rejects text with a URL in it: the platform forbids URLs in the feedback
// template's titles.
func noURL(v *validator, field, s string) {
	l := strings.ToLower(s)
	if strings.Contains(l, "://") || strings.Contains(l, "www.") {
		v.fail(field, "", "free of URLs", preview(s), "the feedback template's texts may not contain URLs")
	}
}

func (t *CustomerFeedbackTemplate) validateTemplate(v *validator, path string) {
	v.required(path, ".title", t.Title, "a feedback template needs a title")
	v.maxRunes(path, ".title", t.Title, MaxFeedbackTitle)
	noURL(v, path+".title", t.Title)
	v.maxRunes(path, ".subtitle", t.Subtitle, MaxFeedbackSubtitle)
	noURL(v, path+".subtitle", t.Subtitle)
	v.required(path, ".button_title", t.ButtonTitle, "a feedback template needs a button title")
	v.maxRunes(path, ".button_title", t.ButtonTitle, MaxFeedbackButtonTitle)
	noURL(v, path+".button_title", t.ButtonTitle)
	if v.required(path, ".business_privacy.url", t.BusinessPrivacy.URL, "a feedback template links a privacy policy") {
		v.webURL(path, ".business_privacy.url", t.BusinessPrivacy.URL, false)
	}
	if t.ExpiresInDays < 0 || t.ExpiresInDays > MaxFeedbackExpiryDays {
		v.fail(path, ".expires_in_days", "1 to 7", itoa(t.ExpiresInDays), "out of range")
	}
	v.count(path, ".feedback_screens", len(t.FeedbackScreens), 1, 1, "screens")
	for i := range t.FeedbackScreens {
		sp := index(path+".feedback_screens", i)
		qs := t.FeedbackScreens[i].Questions
		v.count(sp, ".questions", len(qs), 1, 1, "questions")
		for j := range qs {
			qs[j].validate(v, index(sp+".questions", j))
		}
	}
}

func (q *FeedbackQuestion) validate(v *validator, path string) {
	if v.required(path, ".id", q.ID, "a question needs an id") {
		v.maxRunes(path, ".id", q.ID, MaxFeedbackQuestionID)
		for _, r := range q.ID {
			if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				v.fail(path, ".id", "letters, digits and underscores only", preview(q.ID), "invalid character in question id")
				break
			}
		}
	}
	if q.Title != "" {
		if n := runeCount(q.Title); n < MinFeedbackQuestionTitle || n > MaxFeedbackQuestionTitle {
			v.fail(path, ".title", "5 to 85 characters", lengthValue(q.Title, n), "custom question title out of range")
		}
	}
	var options []string
	switch q.Type {
	case FeedbackCSAT:
		options = []string{string(ScoreOneToFive), string(ScoreFiveStars), string(ScoreFiveEmojis)}
	case FeedbackNPS:
		options = []string{string(ScoreZeroToTen)}
	case FeedbackCES:
		options = []string{string(ScoreOneToSeven)}
	case FeedbackFreeForm:
		if q.ScoreOption != "" {
			v.fail(path, ".score_option", "absent for free_form", string(q.ScoreOption), "a free-form question has no scale")
		}
	default:
		v.oneOf(path, ".type", string(q.Type), string(FeedbackCSAT), string(FeedbackNPS), string(FeedbackCES), string(FeedbackFreeForm))
	}
	if options != nil && q.ScoreOption != "" {
		v.oneOf(path, ".score_option", string(q.ScoreOption), options...)
	}
	if q.ScoreLabel != "" {
		v.oneOf(path, ".score_label", string(q.ScoreLabel), string(ScoreNegPos), string(ScoreHardEasy),
			string(ScoreDisSat), string(ScoreUnlike), string(ScorePoorGreat), string(ScoreNone))
	}
	if f := q.FollowUp; f != nil {
		v.oneOf(path, ".follow_up.type", f.Type, "free_form")
		v.maxRunes(path, ".follow_up.placeholder", f.Placeholder, MaxFeedbackPlaceholder)
	}
}
