package messenger

// PassThreadControlEvent tells the app it received control of a thread (field
// "messaging_handovers", docs/platform.md, “Handover protocol”).
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_handovers
type PassThreadControlEvent struct {
	EventInfo
	// PreviousOwnerAppID is the app that passed control; empty when the thread was
	// idle (or in payloads from before the 2021 handover changes).
	PreviousOwnerAppID string
	// NewOwnerAppID is the app that owns the thread now.
	NewOwnerAppID string
	// Metadata is the string the passing app attached.
	Metadata string
}

// TakeThreadControlEvent tells the app that another app took control of a thread
// from it (field "messaging_handovers").
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_handovers
type TakeThreadControlEvent struct {
	EventInfo
	// PreviousOwnerAppID is this app, which lost control.
	PreviousOwnerAppID string
	// NewOwnerAppID is the app that took control (263902037430900 for the Page Inbox).
	NewOwnerAppID string
	// Metadata is the string the taking app attached.
	Metadata string
}

// RequestThreadControlEvent tells the thread owner that another app asks for control
// (field "messaging_handovers").
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_handovers
type RequestThreadControlEvent struct {
	EventInfo
	// RequestedOwnerAppID is the app asking for control (a number on the wire).
	RequestedOwnerAppID string
	// Metadata is the string the requesting app attached.
	Metadata string
}

// AppRolesEvent tells the app its handover roles on the Page changed (field
// "messaging_handovers"); it has no Sender.
//
// Graph API docs: https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/messaging_handovers
type AppRolesEvent struct {
	EventInfo
	// Roles maps app ids to their roles: "primary_receiver", "secondary_receiver".
	Roles map[string][]string
}

// Kind returns "pass_thread_control".
func (*PassThreadControlEvent) Kind() string { return "pass_thread_control" }

// Kind returns "take_thread_control".
func (*TakeThreadControlEvent) Kind() string { return "take_thread_control" }

// Kind returns "request_thread_control".
func (*RequestThreadControlEvent) Kind() string { return "request_thread_control" }

// Kind returns "app_roles".
func (*AppRolesEvent) Kind() string { return "app_roles" }

type wireThreadControl struct {
	PreviousOwnerAppID string `json:"previous_owner_app_id,omitempty"`
	NewOwnerAppID      string `json:"new_owner_app_id,omitempty"`
	Metadata           string `json:"metadata,omitempty"`
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *PassThreadControlEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "pass_thread_control",
		wireThreadControl{e.PreviousOwnerAppID, e.NewOwnerAppID, e.Metadata})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *TakeThreadControlEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "take_thread_control",
		wireThreadControl{e.PreviousOwnerAppID, e.NewOwnerAppID, e.Metadata})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *RequestThreadControlEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	return marshalItem(&e.EventInfo, "request_thread_control", struct {
		RequestedOwnerAppID numericID `json:"requested_owner_app_id,omitempty"`
		Metadata            string    `json:"metadata,omitempty"`
	}{numericID(e.RequestedOwnerAppID), e.Metadata})
}

// MarshalJSON returns the messaging item (see [Event]).
func (e *AppRolesEvent) MarshalJSON() ([]byte, error) {
	if b, ok := unchanged(e); ok {
		return b, nil
	}
	roles := e.Roles
	if roles == nil {
		roles = map[string][]string{}
	}
	return marshalItem(&e.EventInfo, "app_roles", roles)
}

// UnmarshalJSON decodes one messaging item holding a pass_thread_control.
func (e *PassThreadControlEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a take_thread_control.
func (e *TakeThreadControlEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding a request_thread_control.
func (e *RequestThreadControlEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

// UnmarshalJSON decodes one messaging item holding app_roles.
func (e *AppRolesEvent) UnmarshalJSON(b []byte) error { return unmarshalEvent(e, b) }

func (r *jsonReader) threadControl() wireThreadControl {
	var w wireThreadControl
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "previous_owner_app_id":
			w.PreviousOwnerAppID = r.Str()
		case "new_owner_app_id":
			w.NewOwnerAppID = r.Str()
		case "metadata":
			w.Metadata = r.Str()
		default:
			r.Skip()
		}
	}
	return w
}

func (r *jsonReader) passThread() *PassThreadControlEvent {
	w := r.threadControl()
	return &PassThreadControlEvent{PreviousOwnerAppID: w.PreviousOwnerAppID, NewOwnerAppID: w.NewOwnerAppID, Metadata: w.Metadata}
}

func (r *jsonReader) takeThread() *TakeThreadControlEvent {
	w := r.threadControl()
	return &TakeThreadControlEvent{PreviousOwnerAppID: w.PreviousOwnerAppID, NewOwnerAppID: w.NewOwnerAppID, Metadata: w.Metadata}
}

func (r *jsonReader) requestThread() *RequestThreadControlEvent {
	e := &RequestThreadControlEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		switch r.Key() {
		case "requested_owner_app_id":
			e.RequestedOwnerAppID = r.Str()
		case "metadata":
			e.Metadata = r.Str()
		default:
			r.Skip()
		}
	}
	return e
}

func (r *jsonReader) appRoles() *AppRolesEvent {
	e := &AppRolesEvent{}
	for ok := r.Enter('{'); ok; ok = r.Next('}') {
		app := r.Key()
		roles := []string{}
		for ok := r.Enter('['); ok; ok = r.Next(']') {
			roles = append(roles, r.Str())
		}
		if e.Roles == nil {
			e.Roles = make(map[string][]string)
		}
		e.Roles[app] = roles
	}
	return e
}
