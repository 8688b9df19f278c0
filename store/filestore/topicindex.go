package filestore

import (
	"bytes"
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/gomessenger/messenger/store"
	"github.com/gomessenger/messenger/store/storekit"
)

// topicIndexKey files a token under (page, topic), so TokensByTopic reads only
// the tokens it returns. The pair is length-prefixed, so the prefix of one topic
// never matches a longer topic.
func topicIndexKey(t store.Token) []byte {
	return concat(pageUserKey(t.Page, t.Topic), []byte(t.Value))
}

// indexToken and unindexToken keep both token indexes in step with the tokens
// bucket; every write that adds or removes a token calls one of them in the
// same transaction. Claims, releases and kills leave a token's page, user,
// kind and topic as they were, so they need neither.
func indexToken(tx *bolt.Tx, t store.Token) error {
	if err := tx.Bucket(bucketTokenIdx).Put(tokenIndexKey(t), []byte(t.Value)); err != nil {
		return err
	}
	return tx.Bucket(bucketTokenTopic).Put(topicIndexKey(t), []byte(t.Value))
}

func unindexToken(tx *bolt.Tx, t store.Token) error {
	if err := tx.Bucket(bucketTokenIdx).Delete(tokenIndexKey(t)); err != nil {
		return err
	}
	return tx.Bucket(bucketTokenTopic).Delete(topicIndexKey(t))
}

// ensureTopicIndex builds the (page, topic) index when the file has none (it was
// written before the index existed) or when it does not hold one entry per token
// (a version without the index wrote tokens since): it rebuilds from the tokens
// bucket, in Open's transaction, so the index appears complete or not at all.
// Checking costs a walk over the keys of both buckets at Open, without decoding
// a token.
func ensureTopicIndex(tx *bolt.Tx) error {
	toks := tx.Bucket(bucketTokens)
	if idx := tx.Bucket(bucketTokenTopic); idx != nil {
		if countKeys(idx) == countKeys(toks) {
			return nil
		}
		if err := tx.DeleteBucket(bucketTokenTopic); err != nil {
			return err
		}
	}
	idx, err := tx.CreateBucket(bucketTokenTopic)
	if err != nil {
		return err
	}
	return toks.ForEach(func(_, v []byte) error {
		var rec tokenRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		return idx.Put(topicIndexKey(rec.Token), []byte(rec.Token.Value))
	})
}

func countKeys(b *bolt.Bucket) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	return n
}

// TokensByTopic implements [store.TopicTokens] from the (page, topic) index: it
// reads only the tokens it returns.
func (s *Store) TokensByTopic(ctx context.Context, page, topic string) ([]store.Token, error) {
	if err := storekit.CheckTopicTokens(page); err != nil {
		return nil, err
	}
	var out []store.Token
	err := s.view(ctx, func(tx *bolt.Tx) error {
		toks := tx.Bucket(bucketTokens)
		prefix := pageUserKey(page, topic)
		c := tx.Bucket(bucketTokenTopic).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rec, err := getToken(toks, v)
			if err != nil {
				return err
			}
			// The index never outlives its token nor disagrees with it; be safe
			// anyway, since a wrong token here is a message nobody asked for.
			if rec == nil || rec.Token.Page != page || rec.Token.Topic != topic {
				continue
			}
			out = append(out, rec.Token)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	storekit.SortForList(out)
	return out, nil
}
