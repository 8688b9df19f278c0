package messenger

import "unicode/utf8"

// appendJSON appends the JSON of the send in wb to b (with wb.m as its message
// when withMessage), byte for byte what encoding/json writes for it with HTML
// escaping off, without reflection. It covers the bodies of text messages,
// quick replies and sender actions; ok is false for a message with attachments
// or a template, which encoding/json writes instead.
func (wb *wireBuf) appendJSON(b []byte, withMessage bool) (_ []byte, ok bool) {
	w, m := &wb.w, &wb.m
	if withMessage && (m.Attachment != nil || m.Attachments != nil) {
		return b, false
	}
	b = append(b, `{"recipient":`...)
	b = w.Recipient.appendJSON(b)
	b = appendField(b, `,"messaging_type":`, w.MessagingType)
	b = appendField(b, `,"tag":`, string(w.Tag))
	if withMessage {
		b = append(b, `,"message":`...)
		b = m.appendJSON(b)
	}
	b = appendField(b, `,"sender_action":`, string(w.SenderAction))
	b = appendField(b, `,"notification_type":`, string(w.NotificationType))
	b = appendField(b, `,"persona_id":`, w.PersonaID)
	if w.ReplyTo != nil {
		b = append(b, `,"reply_to":{"mid":`...)
		b = append(appendString(b, w.ReplyTo.MID), '}')
	}
	return append(b, '}'), true
}

func (r *Recipient) appendJSON(b []byte) []byte {
	n := len(b)
	b = append(b, '{')
	b = appendField(b, `,"id":`, r.ID)
	b = appendField(b, `,"user_ref":`, r.UserRef)
	b = appendField(b, `,"comment_id":`, r.CommentID)
	b = appendField(b, `,"post_id":`, r.PostID)
	b = appendField(b, `,"one_time_notif_token":`, r.OneTimeNotifToken)
	b = appendField(b, `,"notification_messages_token":`, r.NotificationMessagesToken)
	b = appendField(b, `,"phone_number":`, r.PhoneNumber)
	if r.Name != nil {
		b = append(b, `,"name":{`...)
		k := len(b) - 1
		b = appendField(b, `,"first_name":`, r.Name.FirstName)
		b = appendField(b, `,"last_name":`, r.Name.LastName)
		b = closeObject(b, k)
	}
	return closeObject(b, n)
}

// appendJSON writes a message without attachments (the caller checks).
func (m *messageWire) appendJSON(b []byte) []byte {
	n := len(b)
	b = append(b, '{')
	b = appendField(b, `,"text":`, m.Text)
	if len(m.QuickReplies) > 0 {
		b = append(b, `,"quick_replies":[`...)
		for i := range m.QuickReplies {
			if i > 0 {
				b = append(b, ',')
			}
			b = m.QuickReplies[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = appendField(b, `,"metadata":`, m.Metadata)
	return closeObject(b, n)
}

func (q *quickReplyWire) appendJSON(b []byte) []byte {
	b = append(b, `{"content_type":`...)
	b = appendString(b, string(q.ContentType))
	b = appendField(b, `,"title":`, q.Title)
	if q.Payload != nil {
		b = append(b, `,"payload":`...)
		b = appendString(b, *q.Payload)
	}
	b = appendField(b, `,"image_url":`, q.ImageURL)
	return append(b, '}')
}

// appendField appends key (with its leading comma) and the string v, unless v is
// empty (omitempty).
func appendField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

// closeObject ends the object opened at b[open]: its first field was written
// with a leading comma, which goes.
func closeObject(b []byte, open int) []byte {
	if len(b) > open+1 && b[open+1] == ',' {
		b = append(b[:open+1], b[open+2:]...)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes it
// with HTML escaping off: quote, backslash and control characters, U+2028 and
// U+2029; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
