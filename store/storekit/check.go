package storekit

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gomessenger/messenger/store"
)

// CheckAction checks the arguments of [store.Windows.RecordAction]: page and user
// are set, the action has a kind and a time.
func CheckAction(page, user string, a store.Action) error {
	const op = "RecordAction"
	if err := CheckKey(op, "page", page, store.MaxIDLen); err != nil {
		return err
	}
	if err := CheckKey(op, "user", user, store.MaxIDLen); err != nil {
		return err
	}
	if a.Kind == "" {
		return &store.InputError{Op: op, Field: "Action.Kind", Limit: "must not be empty", Value: `""`}
	}
	if a.At.IsZero() {
		return &store.InputError{Op: op, Field: "Action.At", Limit: "must not be the zero time", Value: a.At.String()}
	}
	return nil
}

// CheckWindowKey checks the arguments of [store.Windows.Window] and
// [store.Tokens.ListTokens]; op names the method in the error.
func CheckWindowKey(op, page, user string) error {
	if err := CheckKey(op, "page", page, store.MaxIDLen); err != nil {
		return err
	}
	return CheckKey(op, "user", user, store.MaxIDLen)
}

// CheckClaim checks the query of [store.Tokens.ClaimToken].
func CheckClaim(q store.TokenQuery) error {
	const op = "ClaimToken"
	if err := CheckKey(op, "page", q.Page, store.MaxIDLen); err != nil {
		return err
	}
	if err := CheckKey(op, "user", q.User, store.MaxIDLen); err != nil {
		return err
	}
	if q.Kind != store.OneTimeKind && q.Kind != store.RecurringKind {
		return &store.InputError{Op: op, Field: "kind", Limit: fmt.Sprintf("must be %q or %q", store.OneTimeKind, store.RecurringKind), Value: strconv.Quote(string(q.Kind))}
	}
	return nil
}

// CheckTopicTokens checks the arguments of [store.TopicTokens.TokensByTopic]: the
// page is set; the topic may be empty, as a token's may.
func CheckTopicTokens(page string) error {
	return CheckKey("TokensByTopic", "page", page, store.MaxIDLen)
}

// CheckDedupe checks the arguments of [store.Dedupe.FirstSeen].
func CheckDedupe(key string, ttl time.Duration) error {
	const op = "FirstSeen"
	if err := CheckKey(op, "key", key, store.MaxKeyLen); err != nil {
		return err
	}
	if ttl <= 0 {
		return &store.InputError{Op: op, Field: "ttl", Limit: "must be positive", Value: ttl.String()}
	}
	return nil
}

// CheckKey checks a key-like argument of operation op: not empty and at most max
// bytes. A value that breaks the length limit appears in the error only as its
// length, since token values are credentials.
func CheckKey(op, field, value string, max int) error {
	if value == "" {
		return &store.InputError{Op: op, Field: field, Limit: "must not be empty", Value: `""`}
	}
	if len(value) > max {
		// Too long to quote usefully, and a token value is a credential: the length
		// says enough.
		return &store.InputError{Op: op, Field: field, Limit: fmt.Sprintf("must be at most %d bytes", max), Value: fmt.Sprintf("%d bytes", len(value))}
	}
	return nil
}

// CheckDelivery checks the argument of [store.Intake.Admit]: a lease with an owner,
// each dedupe key and the TTL as [CheckDedupe] does, each action as [CheckAction]
// does. The error names the Delivery field, e.g. "Delivery.Keys[2]".
func CheckDelivery(d store.Delivery) error {
	if err := d.Lease.Check("Admit"); err != nil {
		return admitInput(err, func(f string) string { return "Delivery." + f })
	}
	for i, k := range d.Keys {
		if err := CheckDedupe(k, d.TTL); err != nil {
			return admitInput(err, func(f string) string {
				if f == "ttl" {
					return "Delivery.TTL"
				}
				return fmt.Sprintf("Delivery.Keys[%d]", i)
			})
		}
	}
	for i, a := range d.Actions {
		if err := CheckAction(a.Page, a.User, a.Action); err != nil {
			return admitInput(err, func(f string) string {
				switch f {
				case "page":
					f = "Page"
				case "user":
					f = "User"
				}
				return fmt.Sprintf("Delivery.Actions[%d].%s", i, f)
			})
		}
	}
	return nil
}

// admitInput renames the field of an input error for Admit.
func admitInput(err error, rename func(field string) string) error {
	var ie *store.InputError
	if !errors.As(err, &ie) {
		return err
	}
	return &store.InputError{Op: "Admit", Field: rename(ie.Field), Limit: ie.Limit, Value: ie.Value}
}
