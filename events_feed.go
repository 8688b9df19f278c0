package messenger

import (
	"encoding/json"
	"time"
)

// graphTimeLayout is how Graph writes times inside feed objects ("2023-12-01T06:52:51+0000").
const graphTimeLayout = "2006-01-02T15:04:05-0700"

// FeedEvent is a change on the Page's feed (object "page", field "feed" or
// "group_feed", docs/platform.md, “Page feed changes”): a comment, a visitor post, a reaction, an edit or a
// removal. A comment or visitor post allows one private reply within 7 days
// (docs/platform.md, “Private replies”) but does not open the messaging window.
//
// Sender is the author (From); Time is CreatedTime. Comments by the Page itself arrive
// too (From.ID == PageID): filter them before replying.
//
// Graph API docs: https://developers.facebook.com/docs/graph-api/webhooks/reference/page
type FeedEvent struct {
	EventInfo
	// Field is "feed" (or "group_feed").
	Field string
	// Item is "comment", "status", "post", "photo", "video", "reaction", … .
	Item string
	// Verb is "add", "edited", "remove", "hide", "unhide", … .
	Verb string
	// CommentID is set for comments; reply privately with Comment(CommentID).
	CommentID string
	// PostID is the post the item belongs to (the post itself for visitor posts).
	PostID string
	// ParentID is what a comment answers: the post, or the comment it replies to.
	ParentID string
	// From is the author, with Name.
	From Party
	// Message is the text of the comment or post.
	Message string
	// CreatedTime is when the item was created (epoch seconds on the wire).
	CreatedTime time.Time
	// ReactionType is set for reactions ("like", "love", …).
	ReactionType string
	// Post describes the post a comment is on, when Meta includes it.
	Post *FeedPost
}

// FeedPost is the "post" object of a feed change.
type FeedPost struct {
	// ID is the post id, "<page id>_<post id>".
	ID string `json:"id,omitempty"`
	// StatusType is what the post is: "added_photos", "added_video", "mobile_status_update", … .
	StatusType string `json:"status_type,omitempty"`
	// IsPublished is false for unpublished (scheduled or dark) posts.
	IsPublished bool `json:"is_published"`
	// UpdatedTime is when the post last changed (written "2006-01-02T15:04:05+0000").
	UpdatedTime time.Time `json:"-"`
	// PermalinkURL is the post's address on Facebook.
	PermalinkURL string `json:"permalink_url,omitempty"`
	// PromotionStatus tells whether the post is boosted ("inactive", "active", …).
	PromotionStatus string `json:"promotion_status,omitempty"`
}

// MarshalJSON writes the post as Graph does, with updated_time as "2006-01-02T15:04:05+0000".
func (p FeedPost) MarshalJSON() ([]byte, error) {
	type plain FeedPost
	var updated string
	if !p.UpdatedTime.IsZero() {
		updated = p.UpdatedTime.UTC().Format(graphTimeLayout)
	}
	return json.Marshal(struct {
		plain
		UpdatedTime string `json:"updated_time,omitempty"`
	}{plain(p), updated})
}

// Kind returns "feed".
func (*FeedEvent) Kind() string { return "feed" }

// MarshalJSON returns the change, {"field":"feed","value":{…}} (see [Event]).
func (e *FeedEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	field := e.Field
	if field == "" {
		field = "feed"
	}
	from := e.From
	if from == (Party{}) {
		from = e.Sender
	}
	created := e.CreatedTime
	if created.IsZero() {
		created = e.Time
	}
	var fromPtr *Party
	if from != (Party{}) {
		fromPtr = &from
	}
	return json.Marshal(struct {
		Field string `json:"field"`
		Value any    `json:"value"`
	}{field, struct {
		From         *Party    `json:"from,omitempty"`
		Post         *FeedPost `json:"post,omitempty"`
		Message      string    `json:"message,omitempty"`
		PostID       string    `json:"post_id,omitempty"`
		CommentID    string    `json:"comment_id,omitempty"`
		CreatedTime  int64     `json:"created_time,omitempty"`
		Item         string    `json:"item,omitempty"`
		ParentID     string    `json:"parent_id,omitempty"`
		ReactionType string    `json:"reaction_type,omitempty"`
		Verb         string    `json:"verb,omitempty"`
	}{fromPtr, e.Post, e.Message, e.PostID, e.CommentID, toSeconds(created), e.Item, e.ParentID, e.ReactionType, e.Verb}})
}

// UnmarshalJSON decodes one feed change.
func (e *FeedEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// feed decodes the value of a feed change.
func (r *jsonReader) feed(field string) *FeedEvent {
	e := &FeedEvent{Field: field}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "item":
			e.Item = r.Str()
		case "verb":
			e.Verb = r.Str()
		case "comment_id":
			e.CommentID = r.Str()
		case "post_id":
			e.PostID = r.Str()
		case "parent_id":
			e.ParentID = r.Str()
		case "from":
			e.From = r.party()
		case "message":
			e.Message = r.Str()
		case "created_time":
			e.CreatedTime = seconds(r.Int())
		case "reaction_type":
			e.ReactionType = r.Str()
		case "post":
			if r.Peek() != '{' {
				r.Skip()
				continue
			}
			p := &FeedPost{}
			for ok := r.Enter('{'); ok; ok = r.Next('}') {
				switch r.Key() {
				case "id":
					p.ID = r.Str()
				case "status_type":
					p.StatusType = r.Str()
				case "is_published":
					p.IsPublished = r.Bool()
				case "updated_time":
					if t, err := time.Parse(graphTimeLayout, r.Str()); err == nil {
						p.UpdatedTime = t.UTC()
					}
				case "permalink_url":
					p.PermalinkURL = r.Str()
				case "promotion_status":
					p.PromotionStatus = r.Str()
				default:
					r.Skip()
				}
			}
			e.Post = p
		default:
			r.Skip()
		}
	}
	e.Sender = e.From
	e.Time = e.CreatedTime
	return e
}
