package filestore

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// tokenRecord is a token and what undoing its latest claim needs.
type tokenRecord struct {
	Token        store.Token
	PrevLastUsed time.Time `json:",omitzero"`
	Undoable     bool      `json:",omitempty"`
}

func getToken(b *bolt.Bucket, value []byte) (*tokenRecord, error) {
	v := b.Get(value)
	if v == nil {
		return nil, nil
	}
	rec := new(tokenRecord)
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func putToken(b *bolt.Bucket, rec *tokenRecord) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return b.Put([]byte(rec.Token.Value), v)
}

// tokenIndexKey files a token under (page, user), then (kind, topic), so a claim
// reads only the tokens it may pick and a listing reads all of one person's.
func tokenIndexKey(t store.Token) []byte {
	return concat(tokenIndexPrefix(t.Page, t.User, t.Kind, t.Topic), []byte(t.Value))
}

func tokenIndexPrefix(page, user string, kind store.TokenKind, topic string) []byte {
	return concat(pageUserKey(page, user), pageUserKey(string(kind), topic))
}

// eachToken calls f with every token whose index key starts with prefix.
func eachToken(tx *bolt.Tx, prefix []byte, f func(*tokenRecord) error) error {
	toks := tx.Bucket(bucketTokens)
	c := tx.Bucket(bucketTokenIdx).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		rec, err := getToken(toks, v)
		if err != nil {
			return err
		}
		if rec == nil { // the index never outlives its token; be safe anyway
			continue
		}
		if err := f(rec); err != nil {
			return err
		}
	}
	return nil
}

// PutToken implements [store.Tokens].
func (s *Store) PutToken(ctx context.Context, t store.Token) error {
	t, err := storekit.PrepareToken(t)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx *bolt.Tx) error {
		toks := tx.Bucket(bucketTokens)
		old, err := getToken(toks, []byte(t.Value))
		if err != nil {
			return err
		}
		if old != nil {
			if err := unindexToken(tx, old.Token); err != nil {
				return err
			}
		}
		if err := putToken(toks, &tokenRecord{Token: t}); err != nil {
			return err
		}
		return indexToken(tx, t)
	})
}

// ClaimToken implements [store.Tokens]: the pick and the update are one write
// transaction; bbolt runs one at a time, so no two claimers see the same live
// token. A claim that finds nothing rolls back without touching the disk.
func (s *Store) ClaimToken(ctx context.Context, q store.TokenQuery, now time.Time) (store.Token, error) {
	if err := storekit.CheckClaim(q); err != nil {
		return store.Token{}, err
	}
	var got store.Token
	err := s.update(ctx, func(tx *bolt.Tx) error {
		var best *tokenRecord
		err := eachToken(tx, tokenIndexPrefix(q.Page, q.User, q.Kind, q.Topic), func(rec *tokenRecord) error {
			t := rec.Token
			if t.Claimable(now) && (best == nil || storekit.ClaimsBefore(t, best.Token)) {
				best = rec
			}
			return nil
		})
		if err != nil {
			return err
		}
		if best == nil {
			return store.ErrNoToken
		}
		best.PrevLastUsed, best.Undoable = best.Token.LastUsed, true
		best.Token = best.Token.Claim(now)
		got = best.Token
		return putToken(tx.Bucket(bucketTokens), best)
	})
	if err != nil {
		return store.Token{}, err
	}
	return got, nil
}

// ReleaseToken implements [store.Tokens]. It returns [store.ErrNoToken] when no
// token has the claimed Value.
func (s *Store) ReleaseToken(ctx context.Context, claimed store.Token) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		toks := tx.Bucket(bucketTokens)
		rec, err := getToken(toks, []byte(claimed.Value))
		if err != nil {
			return err
		}
		if rec == nil {
			return store.ErrNoToken
		}
		t, ok := storekit.Unclaim(rec.Token, claimed, storekit.ClaimUndo{PrevLastUsed: rec.PrevLastUsed, Undoable: rec.Undoable})
		if !ok {
			return errUnchanged
		}
		return putToken(toks, &tokenRecord{Token: t})
	})
}

// KillToken implements [store.Tokens]. It returns [store.ErrNoToken] when no token
// has the value.
func (s *Store) KillToken(ctx context.Context, value string) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		toks := tx.Bucket(bucketTokens)
		rec, err := getToken(toks, []byte(value))
		if err != nil {
			return err
		}
		if rec == nil {
			return store.ErrNoToken
		}
		if rec.Token.State == store.TokenDead {
			return errUnchanged
		}
		rec.Token.State = store.TokenDead
		return putToken(toks, rec)
	})
}

// ListTokens implements [store.Tokens].
func (s *Store) ListTokens(ctx context.Context, page, user string) ([]store.Token, error) {
	if err := storekit.CheckWindowKey("ListTokens", page, user); err != nil {
		return nil, err
	}
	var out []store.Token
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return eachToken(tx, pageUserKey(page, user), func(rec *tokenRecord) error {
			out = append(out, rec.Token)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	storekit.SortForList(out)
	return out, nil
}

// PurgeTokens implements [store.Tokens].
func (s *Store) PurgeTokens(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.update(ctx, func(tx *bolt.Tx) error {
		n = 0
		toks := tx.Bucket(bucketTokens)
		var gone []store.Token
		err := toks.ForEach(func(_, v []byte) error {
			var rec tokenRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if rec.Token.Purgeable(now) {
				gone = append(gone, rec.Token)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(gone) == 0 {
			return errUnchanged
		}
		for _, t := range gone {
			if err := toks.Delete([]byte(t.Value)); err != nil {
				return err
			}
			if err := unindexToken(tx, t); err != nil {
				return err
			}
		}
		n = len(gone)
		return nil
	})
	return n, err
}
