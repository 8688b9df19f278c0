package messengertest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the Send API the fake enforces (docs/platform.md, “Message object”, “Limits”).
const (
	maxTextChars          = 2000 // text must be shorter ("< 2000 characters")
	maxMetadataChars      = 1000 // metadata must be shorter ("< 1000 characters")
	maxQuickReplies       = 13
	maxQuickReplyTitle    = 20
	maxPayloadChars       = 1000
	maxGenericElements    = 10
	maxElementTitle       = 80
	maxElementSubtitle    = 80
	maxButtonsPerElement  = 3
	maxButtonTemplateText = 640
	maxReceiptElements    = 100
	maxProductElements    = 10
	maxImages             = 30
	maxOTNTitle           = 65
	maxFeedbackTitle      = 65
	maxFeedbackSubtitle   = 80
	maxFeedbackButton     = 20
	maxPersonaName        = 50
)

// sendRequest is a decoded, shape-checked call to /messages.
type sendRequest struct {
	recipient        wireRecipient
	recipientKind    string // wire name of the identifier: id, user_ref, comment_id, ...
	recipientValue   string
	messagingType    string
	tag              string
	message          *wireMessage
	senderAction     string
	personaID        string
	notificationType string
	replyTo          string
	templateType     string   // template_type of message.attachment, if any
	reusable         bool     // a media attachment asked for is_reusable
	attachmentIDs    []string // saved attachments the message reuses
	file             *uploadedFile
}

var (
	messagingTypes    = map[string]bool{"RESPONSE": true, "UPDATE": true, "MESSAGE_TAG": true, "UTILITY": true}
	notificationTypes = map[string]bool{"REGULAR": true, "SILENT_PUSH": true, "NO_PUSH": true}
	senderActions     = map[string]bool{"typing_on": true, "typing_off": true, "mark_seen": true, "react": true, "unreact": true}
	mediaTypes        = map[string]bool{"image": true, "audio": true, "video": true, "file": true}
)

// decodeSend checks the shape of a Send API call the way Graph does, before any state
// is consulted. version is the Graph version of the call ("v25.0").
func decodeSend(p *params, version string) (*sendRequest, *graphError) {
	req := &sendRequest{file: p.file}
	present, gerr := p.object("recipient", &req.recipient)
	if gerr != nil {
		return nil, gerr
	}
	if !present {
		return nil, errParam("The parameter recipient is required")
	}
	if gerr := req.checkRecipient(); gerr != nil {
		return nil, gerr
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"messaging_type", &req.messagingType},
		{"tag", &req.tag},
		{"sender_action", &req.senderAction},
		{"persona_id", &req.personaID},
		{"notification_type", &req.notificationType},
	} {
		v, _, gerr := p.str(f.name)
		if gerr != nil {
			return nil, gerr
		}
		*f.dst = v
	}
	var replyTo wireReplyTo
	if ok, gerr := p.object("reply_to", &replyTo); gerr != nil {
		return nil, gerr
	} else if ok {
		if replyTo.MID == "" {
			return nil, errParam("Param reply_to[mid] is required when reply_to is set")
		}
		req.replyTo = replyTo.MID
	}
	hasMessage := p.has("message")
	if hasMessage && req.senderAction != "" {
		return nil, errMessageAndState()
	}
	if req.senderAction != "" {
		return req, req.checkSenderAction()
	}
	if !hasMessage {
		return nil, errParam("Param message or sender_action is required: a send carries exactly one of them")
	}
	req.message = &wireMessage{}
	if _, gerr := p.object("message", req.message); gerr != nil {
		return nil, gerr
	}
	if gerr := req.checkType(); gerr != nil {
		return nil, gerr
	}
	if gerr := req.checkMessage(version); gerr != nil {
		return nil, gerr
	}
	if req.tag == "CUSTOMER_FEEDBACK" && req.templateType != "customer_feedback" {
		return nil, errParam("Tag CUSTOMER_FEEDBACK may only be used with the customer_feedback template, not with %s", describeMessage(req))
	}
	return req, nil
}

func describeMessage(req *sendRequest) string {
	switch {
	case req.templateType != "":
		return "a " + req.templateType + " template"
	case req.message.Attachment != nil:
		return "an " + req.message.Attachment.Type + " attachment"
	default:
		return "a text message"
	}
}

func (req *sendRequest) checkRecipient() *graphError {
	r := req.recipient
	ids := []struct{ name, value string }{
		{"id", string(r.ID)},
		{"user_ref", r.UserRef},
		{"comment_id", string(r.CommentID)},
		{"post_id", string(r.PostID)},
		{"one_time_notif_token", r.OneTimeNotifToken},
		{"notification_messages_token", r.NotificationMessagesToken},
		{"phone_number", r.PhoneNumber},
	}
	var set []string
	for _, id := range ids {
		if id.value != "" {
			set = append(set, id.name)
			req.recipientKind, req.recipientValue = id.name, id.value
		}
	}
	switch {
	case len(set) == 0:
		return errParam("Param recipient must contain exactly one of id, user_ref, comment_id, post_id, one_time_notif_token, notification_messages_token, phone_number; it has none")
	case len(set) > 1:
		return errParam("Param recipient must contain exactly one identifier; it has %d (%s)", len(set), strings.Join(set, ", "))
	}
	if r.Name != nil && req.recipientKind != "phone_number" {
		return errParam("Param recipient[name] is only valid with recipient[phone_number]")
	}
	return nil
}

func (req *sendRequest) checkSenderAction() *graphError {
	if !senderActions[req.senderAction] {
		return errParam("Param sender_action must be one of typing_on, typing_off, mark_seen; got %q", req.senderAction)
	}
	if req.tag != "" {
		return errParam("Param tag cannot be sent with sender_action %q: a sender action carries only recipient and persona_id", req.senderAction)
	}
	if req.personaID != "" && req.senderAction != "typing_on" && req.senderAction != "typing_off" {
		return errParam("Param persona_id works only with typing_on and typing_off, not with sender_action %q", req.senderAction)
	}
	switch req.recipientKind {
	case "id", "user_ref":
		return nil
	}
	return errParam("Param sender_action needs recipient[id] or recipient[user_ref], not recipient[%s]", req.recipientKind)
}

func (req *sendRequest) checkType() *graphError {
	if req.notificationType != "" && !notificationTypes[req.notificationType] {
		return errParam("Param notification_type must be one of REGULAR, SILENT_PUSH, NO_PUSH; got %q", req.notificationType)
	}
	if req.messagingType == "" {
		switch req.recipientKind {
		case "id", "user_ref", "phone_number":
			return errParam("Param messaging_type is required for recipient[%s]: RESPONSE, UPDATE, MESSAGE_TAG or UTILITY", req.recipientKind)
		}
		// One-time and recurring tokens and private replies are documented without a
		// messaging_type (docs/platform.md, “Private replies”, “One-time notifications”).
	} else if !messagingTypes[req.messagingType] {
		return errParam("Param messaging_type must be one of RESPONSE, UPDATE, MESSAGE_TAG, UTILITY; got %q", req.messagingType)
	}
	if req.messagingType == "MESSAGE_TAG" && req.tag == "" {
		return errParam("Param tag is required when messaging_type is MESSAGE_TAG")
	}
	if req.tag != "" && req.messagingType != "MESSAGE_TAG" {
		return errParam("Param tag %q needs messaging_type MESSAGE_TAG, got %q", req.tag, req.messagingType)
	}
	return nil
}

func (req *sendRequest) checkMessage(version string) *graphError {
	m := req.message
	kinds := 0
	if m.Text != nil {
		kinds++
	}
	if m.Attachment != nil {
		kinds++
	}
	if m.Attachments != nil {
		kinds++
	}
	if kinds == 0 {
		if req.file != nil {
			return errParam("Param message[attachment] is required with filedata: it says the type of the uploaded file")
		}
		return errEmptyMessage()
	}
	if kinds > 1 {
		return errParam("Params message[text], message[attachment] and message[attachments] are mutually exclusive; set exactly one")
	}
	if m.Text != nil {
		if *m.Text == "" {
			return errEmptyMessage()
		}
		if n := utf8.RuneCountInString(*m.Text); n >= maxTextChars {
			return errParam("Length of param message[text] must be less than %d characters; got %d", maxTextChars, n)
		}
	}
	if m.Metadata != nil {
		if n := utf8.RuneCountInString(*m.Metadata); n >= maxMetadataChars {
			return errParam("Length of param message[metadata] must be less than %d characters; got %d", maxMetadataChars, n)
		}
	}
	if gerr := checkQuickReplies(m.QuickReplies); gerr != nil {
		return gerr
	}
	if m.Attachments != nil {
		if len(m.Attachments) == 0 || len(m.Attachments) > maxImages {
			return errParam("Param message[attachments] must hold 1 to %d images; got %d", maxImages, len(m.Attachments))
		}
		for i, a := range m.Attachments {
			if a.Type != "image" {
				return errParam("Param message[attachments][%d][type] must be image (multiple attachments are images only); got %q", i, a.Type)
			}
			if gerr := req.checkMedia(a, "message[attachments]["+strconv.Itoa(i)+"]"); gerr != nil {
				return gerr
			}
		}
		return nil
	}
	if m.Attachment != nil {
		return req.checkAttachment(*m.Attachment, version)
	}
	if req.file != nil {
		return errParam("Param filedata needs message[attachment] with the file's type")
	}
	return nil
}

func checkQuickReplies(qrs []wireQuickReply) *graphError {
	if len(qrs) > maxQuickReplies {
		return errParam("Param message[quick_replies] must have at most %d items; got %d", maxQuickReplies, len(qrs))
	}
	for i, q := range qrs {
		field := "message[quick_replies][" + strconv.Itoa(i) + "]"
		switch q.ContentType {
		case "text":
			if q.Title == nil || *q.Title == "" {
				return errParam("Param %s[title] is required for content_type text", field)
			}
			if n := utf8.RuneCountInString(*q.Title); n > maxQuickReplyTitle {
				return errParam("Length of param %s[title] must be at most %d characters; got %d", field, maxQuickReplyTitle, n)
			}
			payload, ok, gerr := scalarString(q.Payload, field+"[payload]")
			if gerr != nil {
				return gerr
			}
			if !ok || (payload == "" && q.ImageURL == "") {
				return errParam("Param %s[payload] is required for content_type text (it may be empty only with image_url)", field)
			}
			if n := utf8.RuneCountInString(payload); n > maxPayloadChars {
				return errParam("Length of param %s[payload] must be at most %d characters; got %d", field, maxPayloadChars, n)
			}
		case "user_phone_number", "user_email":
		case "":
			return errParam("Param %s[content_type] is required: text, user_phone_number or user_email", field)
		default:
			return errParam("Param %s[content_type] must be text, user_phone_number or user_email; got %q", field, q.ContentType)
		}
	}
	return nil
}

// scalarString reads a payload that Graph takes as a string or a number.
func scalarString(v json.RawMessage, field string) (string, bool, *graphError) {
	if len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null" {
		return "", false, nil
	}
	s, err := flexString(v)
	if err != nil {
		return "", true, errParam("Param %s must be a string or a number", field)
	}
	return s, true, nil
}

func (req *sendRequest) checkAttachment(a wireAttachment, version string) *graphError {
	switch {
	case mediaTypes[a.Type]:
		return req.checkMedia(a, "message[attachment]")
	case a.Type == "template":
	case a.Type == "":
		return errParam("Param message[attachment][type] is required: image, audio, video, file or template")
	default:
		return errParam("Param message[attachment][type] must be image, audio, video, file or template; got %q", a.Type)
	}
	if req.file != nil {
		return errParam("Param filedata cannot be sent with a template attachment")
	}
	var head wireTemplateHead
	if err := json.Unmarshal(a.Payload, &head); err != nil || head.TemplateType == "" {
		return errParam("Param message[attachment][payload][template_type] is required for a template attachment")
	}
	req.templateType = head.TemplateType
	switch head.TemplateType {
	case "generic":
		return req.checkGeneric(a.Payload)
	case "button":
		return checkButtonTemplate(a.Payload)
	case "media":
		return req.checkMediaTemplate(a.Payload)
	case "receipt":
		return checkReceipt(a.Payload)
	case "product":
		return checkProduct(a.Payload, version)
	case "customer_feedback":
		return checkCustomerFeedback(a.Payload)
	case "one_time_notif_req":
		return checkOTNRequest(a.Payload)
	case "notification_messages":
		return checkNotificationMessages(a.Payload)
	}
	return errParam("Param message[attachment][payload][template_type] %q is not a template this server knows (generic, button, media, receipt, product, customer_feedback, one_time_notif_req, notification_messages)", head.TemplateType)
}

func templatePayload(payload json.RawMessage, dst any, kind string) *graphError {
	if err := strictUnmarshal(payload, dst); err != nil {
		return errParam("Param message[attachment][payload] is not a valid %s template: %s", kind, jsonProblem(err))
	}
	return nil
}

func (req *sendRequest) checkMedia(a wireAttachment, field string) *graphError {
	var p wireMediaPayload
	if len(a.Payload) == 0 || string(a.Payload) == "null" {
		if req.file != nil {
			return req.checkFile(a.Type)
		}
		return errParam("Param %s[payload] is required", field)
	}
	if err := strictUnmarshal(a.Payload, &p); err != nil {
		return errParam("Param %s[payload] must be {url, is_reusable} or {attachment_id}: %s", field, jsonProblem(err))
	}
	sources := 0
	if p.URL != "" {
		sources++
		if gerr := checkFetchURL(p.URL, field+"[payload][url]"); gerr != nil {
			return gerr
		}
	}
	if p.AttachmentID != "" {
		sources++
		req.attachmentIDs = append(req.attachmentIDs, string(p.AttachmentID))
	}
	if req.file != nil {
		sources++
	}
	switch {
	case sources == 0:
		return errParam("Param %s[payload] needs url or attachment_id (or a filedata part)", field)
	case sources > 1:
		return errParam("Param %s[payload] takes exactly one of url, attachment_id and a filedata part", field)
	}
	if p.AttachmentID != "" && p.IsReusable != nil {
		return errParam("Param %s[payload][is_reusable] cannot be set with attachment_id", field)
	}
	if p.IsReusable != nil && *p.IsReusable {
		req.reusable = true
	}
	if req.file != nil {
		return req.checkFile(a.Type)
	}
	return nil
}

// checkFile applies the upload rules of docs/platform.md, “Attachments”: a typed part whose type matches.
func (req *sendRequest) checkFile(declared string) *graphError {
	f := req.file
	if f.contentType == "" {
		return errf(100, 2018047, "Upload attachment failure: the filedata part has no Content-Type")
	}
	if f.size > maxAttachmentBytes {
		return errf(100, 2018109, "Attachment size exceeds allowable limit of %d bytes; got %d", maxAttachmentBytes, f.size)
	}
	if f.size == 0 {
		return errf(100, 2018047, "Upload attachment failure: the filedata part is empty")
	}
	major, _, _ := strings.Cut(f.contentType, "/")
	if declared != "file" && major != declared {
		return errf(100, 2018047, "Upload attachment failure: attachment type %s does not match the file's Content-Type %q", declared, f.contentType)
	}
	return nil
}

// checkFetchURL refuses URLs Graph could never fetch. Hosts ending in ".invalid" stand
// for URLs that fail to download, so tests can provoke 2018008.
func checkFetchURL(raw, field string) *graphError {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errf(100, 2018008, "Failed to fetch the file from the url: param %s must be an absolute http(s) URL; got %q", field, raw)
	}
	if strings.HasSuffix(u.Hostname(), ".invalid") {
		return errf(100, 2018008, "Failed to fetch the file from the url %q", raw)
	}
	return nil
}

func checkButtons(bs []wireButton, field string, min, max int) *graphError {
	if len(bs) < min || len(bs) > max {
		if min == max {
			return errParam("Param %s must have %d buttons; got %d", field, min, len(bs))
		}
		return errParam("Param %s must have %d to %d buttons; got %d", field, min, max, len(bs))
	}
	for i, b := range bs {
		if gerr := checkButton(b, field+"["+strconv.Itoa(i)+"]", false); gerr != nil {
			return gerr
		}
	}
	return nil
}

func checkButton(b wireButton, field string, defaultAction bool) *graphError {
	title := ""
	if b.Title != nil {
		title = *b.Title
	}
	needTitle := !defaultAction
	if defaultAction {
		if b.Title != nil {
			return errParam("Param %s[title] is not allowed: a default_action has no title", field)
		}
		if b.Type != "web_url" {
			return errParam("Param %s[type] must be web_url; got %q", field, b.Type)
		}
	}
	switch b.Type {
	case "web_url":
		if b.URL == "" {
			return errParam("Param %s[url] is required for a web_url button", field)
		}
		if u, err := url.Parse(b.URL); err != nil || u.Scheme == "" || u.Host == "" {
			return errParam("Param %s[url] must be an absolute URL; got %q", field, b.URL)
		}
		switch b.WebviewHeightRatio {
		case "", "compact", "tall", "full":
		default:
			return errParam("Param %s[webview_height_ratio] must be compact, tall or full; got %q", field, b.WebviewHeightRatio)
		}
	case "postback", "phone_number", "game_play":
		payload, ok, gerr := scalarString(b.Payload, field+"[payload]")
		if gerr != nil {
			return gerr
		}
		if !ok && b.Type != "game_play" {
			return errParam("Param %s[payload] is required for a %s button", field, b.Type)
		}
		if n := utf8.RuneCountInString(payload); n > maxPayloadChars {
			return errParam("Length of param %s[payload] must be at most %d characters; got %d", field, maxPayloadChars, n)
		}
		if b.Type == "phone_number" && (!strings.HasPrefix(payload, "+") || strings.ContainsAny(payload, " ")) {
			return errParam("Param %s[payload] must be a phone number as + country code and digits without spaces; got %q", field, payload)
		}
	case "account_link":
		needTitle = false
		if b.URL == "" {
			return errParam("Param %s[url] is required for an account_link button", field)
		}
	case "account_unlink":
		needTitle = false
	case "":
		return errParam("Param %s[type] is required", field)
	default:
		return errParam("Param %s[type] must be web_url, postback, phone_number, account_link, account_unlink or game_play; got %q", field, b.Type)
	}
	if needTitle && title == "" {
		return errParam("Param %s[title] is required for a %s button", field, b.Type)
	}
	return nil
}

func (req *sendRequest) checkGeneric(payload json.RawMessage) *graphError {
	var t wireGeneric
	if gerr := templatePayload(payload, &t, "generic"); gerr != nil {
		return gerr
	}
	if len(t.Elements) == 0 || len(t.Elements) > maxGenericElements {
		return errParam("Param message[attachment][payload][elements] must have 1 to %d elements; got %d", maxGenericElements, len(t.Elements))
	}
	switch t.ImageAspectRatio {
	case "", "horizontal", "square":
	default:
		return errParam("Param message[attachment][payload][image_aspect_ratio] must be horizontal or square; got %q", t.ImageAspectRatio)
	}
	for i, e := range t.Elements {
		field := "message[attachment][payload][elements][" + strconv.Itoa(i) + "]"
		if e.Title == nil || *e.Title == "" {
			return errParam("Param %s[title] is required", field)
		}
		if n := utf8.RuneCountInString(*e.Title); n > maxElementTitle {
			return errParam("Length of param %s[title] must be at most %d characters; got %d", field, maxElementTitle, n)
		}
		if e.Subtitle != nil {
			if n := utf8.RuneCountInString(*e.Subtitle); n > maxElementSubtitle {
				return errParam("Length of param %s[subtitle] must be at most %d characters; got %d", field, maxElementSubtitle, n)
			}
		}
		if (e.Subtitle == nil || *e.Subtitle == "") && e.ImageURL == "" && e.DefaultAction == nil && len(e.Buttons) == 0 {
			return errParam("Param %s needs at least one of subtitle, image_url, default_action or buttons besides title", field)
		}
		if e.DefaultAction != nil {
			if gerr := checkButton(*e.DefaultAction, field+"[default_action]", true); gerr != nil {
				return gerr
			}
		}
		if gerr := checkButtons(e.Buttons, field+"[buttons]", 0, maxButtonsPerElement); gerr != nil {
			return gerr
		}
	}
	return nil
}

func checkButtonTemplate(payload json.RawMessage) *graphError {
	var t wireButtonTemplate
	if gerr := templatePayload(payload, &t, "button"); gerr != nil {
		return gerr
	}
	if t.Text == nil || *t.Text == "" {
		return errParam("Param message[attachment][payload][text] is required for a button template")
	}
	if n := utf8.RuneCountInString(*t.Text); n > maxButtonTemplateText {
		return errParam("Length of param message[attachment][payload][text] must be at most %d characters; got %d", maxButtonTemplateText, n)
	}
	return checkButtons(t.Buttons, "message[attachment][payload][buttons]", 1, maxButtonsPerElement)
}

func (req *sendRequest) checkMediaTemplate(payload json.RawMessage) *graphError {
	var t wireMediaTemplate
	if gerr := templatePayload(payload, &t, "media"); gerr != nil {
		return gerr
	}
	if len(t.Elements) != 1 {
		return errParam("Param message[attachment][payload][elements] must have exactly 1 element for a media template; got %d", len(t.Elements))
	}
	e := t.Elements[0]
	field := "message[attachment][payload][elements][0]"
	if e.MediaType != "image" && e.MediaType != "video" {
		return errParam("Param %s[media_type] must be image or video; got %q", field, e.MediaType)
	}
	if (e.AttachmentID == "") == (e.URL == "") {
		return errParam("Param %s takes exactly one of attachment_id and url", field)
	}
	if e.AttachmentID != "" {
		req.attachmentIDs = append(req.attachmentIDs, string(e.AttachmentID))
	}
	if e.URL != "" {
		u, err := url.Parse(e.URL)
		if err != nil || !(u.Host == "facebook.com" || strings.HasSuffix(u.Host, ".facebook.com")) {
			return errParam("Param %s[url] must be a Facebook URL (upload other media first and use attachment_id); got %q", field, e.URL)
		}
	}
	return checkButtons(e.Buttons, field+"[buttons]", 0, maxButtonsPerElement)
}

func checkReceipt(payload json.RawMessage) *graphError {
	var t wireReceipt
	if gerr := templatePayload(payload, &t, "receipt"); gerr != nil {
		return gerr
	}
	f := "message[attachment][payload]"
	switch {
	case t.RecipientName == nil || *t.RecipientName == "":
		return errParam("Param %s[recipient_name] is required for a receipt template", f)
	case t.OrderNumber == nil || *t.OrderNumber == "":
		return errParam("Param %s[order_number] is required for a receipt template", f)
	case t.Currency == nil || *t.Currency == "":
		return errParam("Param %s[currency] is required for a receipt template", f)
	case t.PaymentMethod == nil || *t.PaymentMethod == "":
		return errParam("Param %s[payment_method] is required for a receipt template", f)
	case t.Summary == nil || t.Summary.TotalCost == nil:
		return errParam("Param %s[summary][total_cost] is required for a receipt template", f)
	}
	if len(t.Elements) > 0 {
		var elems []json.RawMessage
		if err := json.Unmarshal(t.Elements, &elems); err != nil {
			return errParam("Param %s[elements] must be an array", f)
		}
		if len(elems) > maxReceiptElements {
			return errParam("Param %s[elements] must have at most %d elements; got %d", f, maxReceiptElements, len(elems))
		}
	}
	return nil
}

func checkProduct(payload json.RawMessage, version string) *graphError {
	var t wireProduct
	if gerr := templatePayload(payload, &t, "product"); gerr != nil {
		return gerr
	}
	if major(version) < 8 {
		return errf(100, 2018328, "Product template requires Graph API v8.0 or later; the call used %s", version)
	}
	if len(t.Elements) == 0 || len(t.Elements) > maxProductElements {
		return errParam("Param message[attachment][payload][elements] must have 1 to %d products; got %d", maxProductElements, len(t.Elements))
	}
	for i, e := range t.Elements {
		if e.ID == "" {
			return errf(100, 2018320, "Invalid product id: param message[attachment][payload][elements][%d][id] is empty", i)
		}
	}
	return nil
}

// major is the major number of a Graph version ("v25.0" → 25).
func major(version string) int {
	v := strings.TrimPrefix(version, "v")
	m, _, _ := strings.Cut(v, ".")
	n, _ := strconv.Atoi(m)
	return n
}

func checkCustomerFeedback(payload json.RawMessage) *graphError {
	var t wireCustomerFeedback
	if gerr := templatePayload(payload, &t, "customer_feedback"); gerr != nil {
		return gerr
	}
	f := "message[attachment][payload]"
	for _, s := range []struct {
		name  string
		v     *string
		limit int
	}{{"title", t.Title, maxFeedbackTitle}, {"subtitle", t.Subtitle, maxFeedbackSubtitle}, {"button_title", t.ButtonTitle, maxFeedbackButton}} {
		if s.name == "subtitle" && s.v == nil {
			continue // optional
		}
		if s.v == nil || *s.v == "" {
			return errParam("Param %s[%s] is required for a customer_feedback template", f, s.name)
		}
		if n := utf8.RuneCountInString(*s.v); n > s.limit {
			return errParam("Length of param %s[%s] must be at most %d characters; got %d", f, s.name, s.limit, n)
		}
	}
	if len(t.FeedbackScreens) != 1 || len(t.FeedbackScreens[0].Questions) != 1 {
		return errParam("Param %s[feedback_screens] must hold exactly 1 screen with 1 question", f)
	}
	q := t.FeedbackScreens[0].Questions[0]
	if q.ID == "" || len(q.ID) > 80 || strings.Trim(q.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return errParam("Param %s[feedback_screens][0][questions][0][id] must be 1 to 80 letters, digits or underscores; got %q", f, q.ID)
	}
	switch q.Type {
	case "csat", "nps", "ces", "free_form":
	default:
		return errParam("Param %s[feedback_screens][0][questions][0][type] must be csat, nps, ces or free_form; got %q", f, q.Type)
	}
	if t.BusinessPrivacy == nil || t.BusinessPrivacy.URL == "" {
		return errParam("Param %s[business_privacy][url] is required for a customer_feedback template", f)
	}
	if t.ExpiresInDays != nil && (*t.ExpiresInDays < 1 || *t.ExpiresInDays > 7) {
		return errParam("Param %s[expires_in_days] must be 1 to 7; got %d", f, *t.ExpiresInDays)
	}
	return nil
}

func checkOTNRequest(payload json.RawMessage) *graphError {
	var t wireOTNRequest
	if gerr := templatePayload(payload, &t, "one_time_notif_req"); gerr != nil {
		return gerr
	}
	f := "message[attachment][payload]"
	if t.Title == nil || *t.Title == "" {
		return errParam("Param %s[title] is required for a one_time_notif_req template", f)
	}
	if n := utf8.RuneCountInString(*t.Title); n > maxOTNTitle {
		return errParam("Length of param %s[title] must be at most %d characters; got %d", f, maxOTNTitle, n)
	}
	if t.Payload == nil || *t.Payload == "" {
		return errParam("Param %s[payload] is required for a one_time_notif_req template", f)
	}
	return nil
}

func checkNotificationMessages(payload json.RawMessage) *graphError {
	var t wireNotificationMessages
	if gerr := templatePayload(payload, &t, "notification_messages"); gerr != nil {
		return gerr
	}
	f := "message[attachment][payload]"
	if t.Title == nil || *t.Title == "" {
		return errParam("Param %s[title] is required for a notification_messages template", f)
	}
	if n := utf8.RuneCountInString(*t.Title); n > maxOTNTitle {
		return errParam("Length of param %s[title] must be at most %d characters; got %d", f, maxOTNTitle, n)
	}
	return nil
}
