package filestore_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/filestore"
)

// Files written before the topic index existed, or by such a version after it
// existed, open with a complete index: Open builds or rebuilds it.
func TestTopicIndexBuiltOnOpen(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	toks := []store.Token{
		{Value: "a", Kind: store.OneTimeKind, Page: "p", User: "u1", Topic: "sale", IssuedAt: now, State: store.TokenLive},
		{Value: "b", Kind: store.RecurringKind, Page: "p", User: "u2", Topic: "sale", IssuedAt: now.Add(time.Second), State: store.TokenDead},
		{Value: "c", Kind: store.OneTimeKind, Page: "p", User: "u1", Topic: "salez", IssuedAt: now, State: store.TokenLive},
	}
	tests := []struct {
		name   string
		damage func(tx *bolt.Tx) error
	}{
		{"no index (an older file)", func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("token_topic")) }},
		{"entry missing (a token put by an older version)", func(tx *bolt.Tx) error {
			c := tx.Bucket([]byte("token_topic")).Cursor()
			k, _ := c.First()
			return c.Bucket().Delete(k)
		}},
		{"entry left over (a token purged by an older version)", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("token_topic")).Put([]byte("\x01p\x04salegone"), []byte("gone"))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTemp(t)
			path := s.Path()
			for _, tok := range toks {
				if err := s.PutToken(t.Context(), tok); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(tc.damage); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s, err = filestore.Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = s.Close() })
			got, err := s.TokensByTopic(t.Context(), "p", "sale")
			if err != nil {
				t.Fatalf("TokensByTopic: %v", err)
			}
			if diff := cmp.Diff(toks[:2], got); diff != "" {
				t.Errorf("TokensByTopic after Open (-want +got):\n%s", diff)
			}
		})
	}
}
