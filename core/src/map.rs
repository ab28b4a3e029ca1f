//! [`Map`]: the insertion-ordered map of a [`Value`]'s structures and maps.
//!
//! Hand-written, not `indexmap`'s `IndexMap` (which it replaced), for what a call builds: a
//! response is mostly small maps — a DynamoDB attribute value has one entry, a listed object
//! seven, `ResponseMetadata` four — and an `IndexMap` gives each a hash table beside its
//! entries: a second allocation per map, and every key hashed as it goes in. Up to
//! eight entries a `Map` is its entries alone and finds a key by comparing it with each
//! (keys are short names); past that it indexes them in a hash table as `IndexMap` does, so a
//! large map (a big item, a document) is still built in linear time. `indexmap` has no such
//! small form.
//!
//! The API is `IndexMap`'s, for the part a program uses: `get`, `insert`, `entry`, iteration in
//! insertion order, `shift_remove`/`swap_remove`, positions (`get_index`, `get_full`). Two maps
//! are equal when they hold the same keys with equal values, in any order, as two `IndexMap`s
//! are. Removals cost what `IndexMap`'s do: `swap_remove` and `pop` O(1) (the typed API takes
//! each member of a structure out with `swap_remove`), `shift_remove` O(n); the bulk ones
//! (`retain`, `truncate`, `drain`, `split_off`, `sort_keys`) rebuild the index, O(n) too.

use std::fmt;
use std::hash::BuildHasher as _;
use std::ops::RangeBounds;

use hashbrown::HashTable;

use crate::value::{Key, MapHasher, Value};

/// The most entries a map keeps without a hash index.
const LINEAR_MAX: usize = 8;

/// An ordered map of member or key names to values (structures and maps alike), in insertion
/// order. Build one with `Map::new()`, `Map::default()` or [`map_with_capacity`](crate::map_with_capacity),
/// or collect `(Key, Value)` pairs.
///
/// ```
/// use sansboto_core::{Map, Value};
/// let mut item = Map::new();
/// item.insert("Artist".into(), Value::from("No One You Know"));
/// item.insert("Awards".into(), Value::from(1));
/// assert_eq!(item["Artist"].as_str(), Some("No One You Know"));
/// assert_eq!(item.get_index(1).map(|(k, _)| k.as_str()), Some("Awards"));
/// assert_eq!(item.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["Artist", "Awards"]);
/// ```
#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(Key, Value)>,
    /// Positions in `entries`, by key hash, once the map has more than [`LINEAR_MAX`] entries.
    index: Option<Box<HashTable<usize>>>,
}

fn hash_of(key: &str) -> u64 {
    MapHasher.hash_one(key)
}

/// Take position `i` (still in `entries`) out of `index`.
fn unindex(index: &mut HashTable<usize>, entries: &[(Key, Value)], i: usize) {
    match index.find_entry(hash_of(&entries[i].0), |&j| j == i) {
        Ok(found) => {
            found.remove();
        }
        Err(_) => unreachable!("every entry is indexed"),
    }
}

impl Map {
    /// An empty map.
    pub const fn new() -> Self {
        Map {
            entries: Vec::new(),
            index: None,
        }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Map {
            entries: Vec::with_capacity(capacity),
            index: None,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many entries the map holds without growing.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Remove every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index = None;
    }

    /// Make room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
        if let Some(index) = &mut self.index {
            let entries = &self.entries;
            index.reserve(additional, |&j| hash_of(&entries[j].0));
        }
    }

    /// The position of `key`, if present.
    pub fn get_index_of<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<usize> {
        self.position(key.as_ref())
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            None => self.entries.iter().position(|(k, _)| k.as_str() == key),
            Some(index) => index
                .find(hash_of(key), |&i| self.entries[i].0.as_str() == key)
                .copied(),
        }
    }

    /// The value of `key`.
    pub fn get<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<&Value> {
        let i = self.position(key.as_ref())?;
        Some(&self.entries[i].1)
    }

    /// The value of `key`, to change it.
    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<&mut Value> {
        let i = self.position(key.as_ref())?;
        Some(&mut self.entries[i].1)
    }

    /// The stored key and the value of `key`.
    pub fn get_key_value<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<(&Key, &Value)> {
        let i = self.position(key.as_ref())?;
        let (k, v) = &self.entries[i];
        Some((k, v))
    }

    /// The position, stored key and value of `key`.
    pub fn get_full<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> Option<(usize, &Key, &Value)> {
        let i = self.position(key.as_ref())?;
        let (k, v) = &self.entries[i];
        Some((i, k, v))
    }

    /// Whether `key` is present.
    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, key: &Q) -> bool {
        self.position(key.as_ref()).is_some()
    }

    /// The entry at position `i`.
    pub fn get_index(&self, i: usize) -> Option<(&Key, &Value)> {
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    /// The entry at position `i`, its value to change.
    pub fn get_index_mut(&mut self, i: usize) -> Option<(&Key, &mut Value)> {
        self.entries.get_mut(i).map(|(k, v)| (&*k, v))
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&Key, &Value)> {
        self.get_index(0)
    }

    /// The last entry.
    pub fn last(&self) -> Option<(&Key, &Value)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    /// Insert `value` under `key`: a new key goes last; a key already present keeps its place
    /// and its old value is returned.
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        self.insert_full(key, value).1
    }

    /// [`insert`](Self::insert), also giving the entry's position.
    pub fn insert_full(&mut self, key: Key, value: Value) -> (usize, Option<Value>) {
        match self.index {
            None => match self.position(&key) {
                Some(i) => (i, Some(std::mem::replace(&mut self.entries[i].1, value))),
                None => (self.push(key, value, None), None),
            },
            Some(_) => {
                let hash = hash_of(&key);
                self.insert_hashed(hash, key, value)
            }
        }
    }

    /// Insert with the key's hash already known (a parser's member names, hashed once).
    pub(crate) fn insert_hashed(
        &mut self,
        hash: u64,
        key: Key,
        value: Value,
    ) -> (usize, Option<Value>) {
        let found = match &self.index {
            None => self.entries.iter().position(|(k, _)| *k == key),
            Some(index) => index.find(hash, |&i| self.entries[i].0 == key).copied(),
        };
        match found {
            Some(i) => (i, Some(std::mem::replace(&mut self.entries[i].1, value))),
            None => (self.push(key, value, Some(hash)), None),
        }
    }

    /// Append an entry the caller knows is absent: a structure's members, which the model keeps
    /// distinct, put into the map made for them. A parser finishing a thousand structures
    /// skips comparing each new key with those already in (`hash`, when known, spares hashing
    /// it in an indexed map).
    pub(crate) fn push_distinct(&mut self, key: Key, value: Value, hash: Option<u64>) {
        debug_assert!(!self.contains_key(&key), "{key:?} is already in the map");
        self.push(key, value, hash);
    }

    /// Append an entry whose key is not present; index it once the map outgrows a scan.
    fn push(&mut self, key: Key, value: Value, hash: Option<u64>) -> usize {
        let i = self.entries.len();
        match &mut self.index {
            Some(index) => {
                let hash = hash.unwrap_or_else(|| hash_of(&key));
                let entries = &self.entries;
                index.insert_unique(hash, i, |&j| hash_of(&entries[j].0));
                self.entries.push((key, value));
            }
            None => {
                self.entries.push((key, value));
                if self.entries.len() > LINEAR_MAX {
                    self.reindex();
                }
            }
        }
        i
    }

    /// Build the index afresh (or drop it for a map small enough to scan).
    fn reindex(&mut self) {
        if self.entries.len() <= LINEAR_MAX {
            self.index = None;
            return;
        }
        let mut index = match self.index.take() {
            Some(mut index) => {
                index.clear();
                index
            }
            None => Box::new(HashTable::with_capacity(self.entries.capacity())),
        };
        let entries = &self.entries;
        for (i, (k, _)) in entries.iter().enumerate() {
            index.insert_unique(hash_of(k), i, |&j| hash_of(&entries[j].0));
        }
        self.index = Some(index);
    }

    /// Remove `key`, moving the entries after it up one place (order kept).
    pub fn shift_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<Value> {
        self.shift_remove_entry(key).map(|(_, v)| v)
    }

    /// [`shift_remove`](Self::shift_remove), giving the stored key too.
    pub fn shift_remove_entry<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<(Key, Value)> {
        let i = self.position(key.as_ref())?;
        Some(self.shift_remove_at(i))
    }

    /// Remove the entry at position `i` (which must exist), moving the ones after it up.
    /// O(n), as `IndexMap`'s: the positions after `i` go down by one in place (no key is
    /// hashed again but the removed one).
    fn shift_remove_at(&mut self, i: usize) -> (Key, Value) {
        match &mut self.index {
            Some(_) if self.entries.len() - 1 <= LINEAR_MAX => self.index = None,
            Some(index) => {
                unindex(index, &self.entries, i);
                if i + 1 < self.entries.len() {
                    for j in index.iter_mut() {
                        if *j > i {
                            *j -= 1;
                        }
                    }
                }
            }
            None => {}
        }
        self.entries.remove(i)
    }

    /// Remove the entry at position `i` (which must exist), putting the last one in its
    /// place: O(1), as `IndexMap`'s (two keys hashed, the index not rebuilt).
    fn swap_remove_at(&mut self, i: usize) -> (Key, Value) {
        let last = self.entries.len() - 1;
        match &mut self.index {
            Some(_) if last <= LINEAR_MAX => self.index = None,
            Some(index) => {
                unindex(index, &self.entries, i);
                if i != last {
                    let moved = index
                        .find_mut(hash_of(&self.entries[last].0), |&j| j == last)
                        .expect("every entry is indexed");
                    *moved = i;
                }
            }
            None => {}
        }
        self.entries.swap_remove(i)
    }

    /// Remove `key`, putting the last entry in its place (order not kept).
    pub fn swap_remove<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<Value> {
        self.swap_remove_entry(key).map(|(_, v)| v)
    }

    /// [`swap_remove`](Self::swap_remove), giving the stored key too.
    pub fn swap_remove_entry<Q: AsRef<str> + ?Sized>(&mut self, key: &Q) -> Option<(Key, Value)> {
        let i = self.position(key.as_ref())?;
        Some(self.swap_remove_at(i))
    }

    /// Remove and return the last entry.
    pub fn pop(&mut self) -> Option<(Key, Value)> {
        let last = self.entries.len().checked_sub(1)?;
        Some(self.swap_remove_at(last))
    }

    /// Remove the entry at position `i`, moving the ones after it up (`None` past the end).
    pub fn shift_remove_index(&mut self, i: usize) -> Option<(Key, Value)> {
        (i < self.entries.len()).then(|| self.shift_remove_at(i))
    }

    /// Remove the entry at position `i`, putting the last entry in its place (`None` past the
    /// end).
    pub fn swap_remove_index(&mut self, i: usize) -> Option<(Key, Value)> {
        (i < self.entries.len()).then(|| self.swap_remove_at(i))
    }

    /// Keep only the entries `keep` says yes to, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Key, &mut Value) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, v)| keep(k, v));
        if self.index.is_some() && self.entries.len() != before {
            self.reindex();
        }
    }

    /// Keep the first `len` entries.
    pub fn truncate(&mut self, len: usize) {
        if len < self.entries.len() {
            self.entries.truncate(len);
            if self.index.is_some() {
                self.reindex();
            }
        }
    }

    /// Split off the entries from position `at` on into a new map.
    ///
    /// # Panics
    /// When `at` is past the end, as `Vec::split_off` does.
    pub fn split_off(&mut self, at: usize) -> Map {
        let tail = self.entries.split_off(at);
        if self.index.is_some() {
            self.reindex();
        }
        let mut out = Map {
            entries: tail,
            index: None,
        };
        out.reindex();
        out
    }

    /// Remove the entries in `range` and iterate over them.
    pub fn drain<R: RangeBounds<usize>>(&mut self, range: R) -> std::vec::IntoIter<(Key, Value)> {
        // Taken out whole, so the index is right again before the caller reads the map.
        let drained: Vec<_> = self.entries.drain(range).collect();
        if self.index.is_some() {
            self.reindex();
        }
        drained.into_iter()
    }

    /// The entry for `key`, to read, insert or change in place.
    pub fn entry(&mut self, key: Key) -> Entry<'_> {
        match self.position(&key) {
            Some(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            None => Entry::Vacant(VacantEntry { map: self, key }),
        }
    }

    /// The entries in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The entries in order, values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.entries.iter_mut())
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'_> {
        Keys(self.entries.iter())
    }

    /// The values in order.
    pub fn values(&self) -> Values<'_> {
        Values(self.entries.iter())
    }

    /// The values in order, to change.
    pub fn values_mut(&mut self) -> ValuesMut<'_> {
        ValuesMut(self.entries.iter_mut())
    }

    /// The keys in order, by value.
    pub fn into_keys(self) -> IntoKeys {
        IntoKeys(self.entries.into_iter())
    }

    /// The values in order, by value.
    pub fn into_values(self) -> IntoValues {
        IntoValues(self.entries.into_iter())
    }

    /// Sort the entries by key.
    pub fn sort_keys(&mut self) {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        if self.index.is_some() {
            self.reindex();
        }
    }
}

/// An entry of a [`Map`], found or not ([`Map::entry`]).
pub enum Entry<'a> {
    /// The key is present.
    Occupied(OccupiedEntry<'a>),
    /// The key is not present.
    Vacant(VacantEntry<'a>),
}

/// A present entry of a [`Map`].
pub struct OccupiedEntry<'a> {
    map: &'a mut Map,
    index: usize,
}

/// An absent entry of a [`Map`], with the key it would have.
pub struct VacantEntry<'a> {
    map: &'a mut Map,
    key: Key,
}

impl<'a> Entry<'a> {
    /// The entry's key.
    pub fn key(&self) -> &Key {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => e.key(),
        }
    }

    /// The value, inserting `default` first when absent.
    pub fn or_insert(self, default: Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(default),
        }
    }

    /// The value, inserting what `make` returns first when absent.
    pub fn or_insert_with(self, make: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(make()),
        }
    }

    /// The value, inserting [`Value::Null`] first when absent.
    pub fn or_default(self) -> &'a mut Value {
        self.or_insert_with(Value::default)
    }

    /// Change a present value with `f`; an absent one is left absent.
    pub fn and_modify(mut self, f: impl FnOnce(&mut Value)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }

    /// The entry's position (where it would go when absent).
    pub fn index(&self) -> usize {
        match self {
            Entry::Occupied(e) => e.index,
            Entry::Vacant(e) => e.map.len(),
        }
    }
}

impl<'a> OccupiedEntry<'a> {
    /// The stored key.
    pub fn key(&self) -> &Key {
        &self.map.entries[self.index].0
    }

    /// The entry's position.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The value.
    pub fn get(&self) -> &Value {
        &self.map.entries[self.index].1
    }

    /// The value, to change.
    pub fn get_mut(&mut self) -> &mut Value {
        &mut self.map.entries[self.index].1
    }

    /// The value, borrowed for as long as the map is.
    pub fn into_mut(self) -> &'a mut Value {
        &mut self.map.entries[self.index].1
    }

    /// Replace the value, returning the old one.
    pub fn insert(&mut self, value: Value) -> Value {
        std::mem::replace(self.get_mut(), value)
    }

    /// Remove the entry, moving the ones after it up one place.
    pub fn shift_remove(self) -> Value {
        self.map.shift_remove_at(self.index).1
    }

    /// Remove the entry, moving the ones after it up one place, giving its key too.
    pub fn shift_remove_entry(self) -> (Key, Value) {
        self.map.shift_remove_at(self.index)
    }

    /// Remove the entry, putting the last entry in its place.
    pub fn swap_remove(self) -> Value {
        self.map.swap_remove_at(self.index).1
    }

    /// Remove the entry, putting the last entry in its place, giving its key too.
    pub fn swap_remove_entry(self) -> (Key, Value) {
        self.map.swap_remove_at(self.index)
    }
}

impl<'a> VacantEntry<'a> {
    /// The key the entry would have.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The position the entry would have (the map's length).
    pub fn index(&self) -> usize {
        self.map.len()
    }

    /// The key, taken back.
    pub fn into_key(self) -> Key {
        self.key
    }

    /// Insert `value` (last), returning it in its place.
    pub fn insert(self, value: Value) -> &'a mut Value {
        let i = self.map.push(self.key, value, None);
        &mut self.map.entries[i].1
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Equal when both hold the same keys with equal values, in whatever order.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<Q: AsRef<str> + ?Sized> std::ops::Index<&Q> for Map {
    type Output = Value;
    /// The value of `key`.
    ///
    /// # Panics
    /// When `key` is absent (as `IndexMap` does; [`Value`]'s own indexing gives `Null` instead).
    fn index(&self, key: &Q) -> &Value {
        let key = key.as_ref();
        self.get(key)
            .unwrap_or_else(|| panic!("no entry {key:?} in the map"))
    }
}

impl<Q: AsRef<str> + ?Sized> std::ops::IndexMut<&Q> for Map {
    /// The value of `key`, to change.
    ///
    /// # Panics
    /// When `key` is absent.
    fn index_mut(&mut self, key: &Q) -> &mut Value {
        let key = key.as_ref();
        match self.position(key) {
            Some(i) => &mut self.entries[i].1,
            None => panic!("no entry {key:?} in the map"),
        }
    }
}

impl std::ops::Index<usize> for Map {
    type Output = Value;
    /// The value at position `i`.
    ///
    /// # Panics
    /// When `i` is past the end (as `IndexMap` does).
    fn index(&self, i: usize) -> &Value {
        &self.entries[i].1
    }
}

impl std::ops::IndexMut<usize> for Map {
    /// The value at position `i`, to change.
    ///
    /// # Panics
    /// When `i` is past the end.
    fn index_mut(&mut self, i: usize) -> &mut Value {
        &mut self.entries[i].1
    }
}

impl FromIterator<(Key, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = Map::with_capacity(iter.size_hint().0);
        map.extend(iter);
        map
    }
}

impl Extend<(Key, Value)> for Map {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<const N: usize> From<[(Key, Value); N]> for Map {
    fn from(entries: [(Key, Value); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map {
    type Item = (&'a Key, &'a mut Value);
    type IntoIter = IterMut<'a>;
    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

/// A [`Map`]'s entries in order ([`Map::iter`]).
#[derive(Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (Key, Value)>);

/// A [`Map`]'s entries in order, values to change ([`Map::iter_mut`]).
pub struct IterMut<'a>(std::slice::IterMut<'a, (Key, Value)>);

/// A [`Map`]'s keys in order ([`Map::keys`]).
#[derive(Clone)]
pub struct Keys<'a>(std::slice::Iter<'a, (Key, Value)>);

/// A [`Map`]'s values in order ([`Map::values`]).
#[derive(Clone)]
pub struct Values<'a>(std::slice::Iter<'a, (Key, Value)>);

/// A [`Map`]'s values in order, to change ([`Map::values_mut`]).
pub struct ValuesMut<'a>(std::slice::IterMut<'a, (Key, Value)>);

/// A [`Map`]'s keys in order, by value ([`Map::into_keys`]).
pub struct IntoKeys(std::vec::IntoIter<(Key, Value)>);

/// A [`Map`]'s values in order, by value ([`Map::into_values`]).
pub struct IntoValues(std::vec::IntoIter<(Key, Value)>);

/// The iterator traits of an iterator over a map's entries (`$name` wraps the entries'
/// iterator; `$e` is one entry, `$map` what the iterator yields of it).
macro_rules! entry_iterator {
    ($name:ty, [$($lt:lifetime)?], $item:ty, |$e:ident| $map:expr) => {
        impl<$($lt)?> Iterator for $name {
            type Item = $item;
            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.0.next().map(|$e| $map)
            }
            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
            #[inline]
            fn nth(&mut self, n: usize) -> Option<$item> {
                self.0.nth(n).map(|$e| $map)
            }
        }
        impl<$($lt)?> DoubleEndedIterator for $name {
            #[inline]
            fn next_back(&mut self) -> Option<$item> {
                self.0.next_back().map(|$e| $map)
            }
        }
        impl<$($lt)?> ExactSizeIterator for $name {}
        impl<$($lt)?> std::iter::FusedIterator for $name {}
    };
}

entry_iterator!(Iter<'a>, ['a], (&'a Key, &'a Value), |e| (&e.0, &e.1));
entry_iterator!(IterMut<'a>, ['a], (&'a Key, &'a mut Value), |e| (&e.0, &mut e.1));
entry_iterator!(Keys<'a>, ['a], &'a Key, |e| &e.0);
entry_iterator!(Values<'a>, ['a], &'a Value, |e| &e.1);
entry_iterator!(ValuesMut<'a>, ['a], &'a mut Value, |e| &mut e.1);
entry_iterator!(IntoKeys, [], Key, |e| e.0);
entry_iterator!(IntoValues, [], Value, |e| e.1);

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: usize) -> Key {
        format!("k{i}").into()
    }

    /// Every operation on maps of every size around the point where the index starts, against
    /// a plain vector of pairs searched one by one.
    #[test]
    fn behaves_as_an_ordered_list_of_pairs_below_and_above_the_index() {
        for n in [0, 1, 7, 8, 9, 10, 30] {
            let mut map = Map::new();
            let mut model: Vec<(Key, Value)> = Vec::new();
            for i in 0..n {
                assert_eq!(map.insert(key(i), Value::from(i as i64)), None);
                model.push((key(i), Value::from(i as i64)));
            }
            // Replacing keeps the place.
            if n > 0 {
                assert_eq!(
                    map.insert(key(n / 2), Value::from("again")),
                    Some(Value::from((n / 2) as i64))
                );
                model[n / 2].1 = Value::from("again");
            }
            let check = |map: &Map, model: &[(Key, Value)]| {
                assert_eq!(map.len(), model.len());
                let got: Vec<_> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                assert_eq!(got, model);
                for (i, (k, v)) in model.iter().enumerate() {
                    assert_eq!(map.get(k), Some(v));
                    assert_eq!(map.get_full(k.as_str()), Some((i, k, v)));
                    assert_eq!(map.get_index_of(k), Some(i));
                }
                assert_eq!(map.get("absent"), None);
            };
            check(&map, &model);
            if n > 2 {
                assert_eq!(map.shift_remove(&key(1)), Some(model.remove(1).1));
                check(&map, &model);
                let last = model.len() - 1;
                model.swap(0, last);
                let gone = model.pop().unwrap();
                assert_eq!(map.swap_remove(&key(0)), Some(gone.1));
                check(&map, &model);
                map.retain(|k, _| k.as_str() != "k2");
                model.retain(|(k, _)| k.as_str() != "k2");
                check(&map, &model);
                assert_eq!(map.pop(), model.pop());
                check(&map, &model);
                let tail = map.split_off(model.len() / 2);
                let model_tail = model.split_off(model.len() / 2);
                check(&map, &model);
                check(&tail, &model_tail);
                // Grows again past the index point after removals.
                for i in 100..100 + n {
                    map.insert(key(i), Value::Null);
                    model.push((key(i), Value::Null));
                }
                check(&map, &model);
                let drained: Vec<_> = map.drain(..2).collect();
                assert_eq!(drained, model.drain(..2).collect::<Vec<_>>());
                check(&map, &model);
                map.insert(key(999), Value::Bool(true));
                model.push((key(999), Value::Bool(true)));
                check(&map, &model);
            }
        }
    }

    #[test]
    fn entries_insert_at_the_end_and_change_in_place() {
        let mut map: Map = (0..12).map(|i| (key(i), Value::Null)).collect();
        *map.entry(key(3)).or_insert(Value::Bool(true)) = Value::from(3);
        map.entry(key(20)).or_insert_with(|| Value::from(20));
        map.entry(key(4)).and_modify(|v| *v = Value::from(4));
        assert_eq!(map[&key(3)], Value::from(3));
        assert_eq!(map["k4"], Value::from(4));
        assert_eq!(map.get_index(12), Some((&key(20), &Value::from(20))));
        let Entry::Occupied(e) = map.entry(key(5)) else {
            panic!("k5 is there")
        };
        assert_eq!(e.shift_remove(), Value::Null);
        assert_eq!(map.get_index_of("k6"), Some(5));
    }

    #[test]
    fn equal_whatever_the_order() {
        let a: Map = [("x".into(), Value::from(1)), ("y".into(), Value::from(2))].into();
        let b: Map = [("y".into(), Value::from(2)), ("x".into(), Value::from(1))].into();
        assert_eq!(a, b);
        let c: Map = [("y".into(), Value::from(2))].into();
        assert_ne!(a, c);
    }

    #[test]
    fn a_map_is_a_vector_and_a_pointer() {
        // A `Value` holds a map inline: its size bounds every value's.
        assert_eq!(std::mem::size_of::<Map>(), 32);
        assert!(
            std::mem::size_of::<Value>() <= 40,
            "{}",
            std::mem::size_of::<Value>()
        );
    }

    #[test]
    fn a_large_map_is_built_in_linear_time() {
        // 200,000 distinct keys: a scan per insert would take minutes.
        let map: Map = (0..200_000).map(|i| (key(i), Value::Null)).collect();
        assert_eq!(map.len(), 200_000);
        assert_eq!(map.get_index_of("k199999"), Some(199_999));
    }

    #[test]
    fn a_large_map_is_emptied_in_linear_time() {
        // A rebuilt index per removal would take minutes: 200,000 × 200,000 / 2 keys hashed.
        let mut map: Map = (0..200_000).map(|i| (key(i), Value::Null)).collect();
        for i in 0..100_000 {
            assert!(map.swap_remove(&key(i)).is_some());
        }
        while map.pop().is_some() {}
        assert!(map.is_empty() && map.index.is_none());
    }

    /// Differential check against `indexmap::IndexMap` (what `Map` replaced): seeded random
    /// sequences of every operation `Map` offers, on keys drawn from small pools so maps grow
    /// and shrink across the eight-entry point; after each step both hold the same entries in
    /// the same order, give the same results, and the index is there exactly when it should be.
    mod differential {
        use super::super::*;
        use super::key;
        use indexmap::IndexMap;
        use std::ops::Bound;
        use std::panic::{catch_unwind, AssertUnwindSafe};

        type Model = IndexMap<Key, Value>;

        use crate::machine::{RandomSource as _, SplitMix64};

        struct Rng(SplitMix64);
        impl Rng {
            fn next(&mut self) -> u64 {
                self.0.next_u64()
            }
            fn below(&mut self, n: usize) -> usize {
                if n == 0 {
                    0
                } else {
                    (self.next() % n as u64) as usize
                }
            }
            fn chance(&mut self, percent: u64) -> bool {
                self.next() % 100 < percent
            }
        }

        /// The index is present exactly past eight entries, holds one position per entry,
        /// and finds each entry's key at its position.
        pub(super) fn check_index(map: &Map) {
            assert_eq!(
                map.index.is_some(),
                map.len() > LINEAR_MAX,
                "index presence wrong at len {}",
                map.len()
            );
            if let Some(index) = &map.index {
                assert_eq!(index.len(), map.len(), "index size");
                for (i, (k, _)) in map.entries.iter().enumerate() {
                    assert_eq!(
                        index.find(hash_of(k), |&j| j == i).copied(),
                        Some(i),
                        "position {i} ({k}) not indexed under its hash"
                    );
                }
            }
        }

        fn same(map: &Map, model: &Model, pool: usize, ctx: &str) {
            check_index(map);
            assert_eq!(map.len(), model.len(), "{ctx}: len");
            assert_eq!(map.is_empty(), model.is_empty(), "{ctx}");
            let got: Vec<_> = map.iter().collect();
            let want: Vec<_> = model.iter().collect();
            assert_eq!(got, want, "{ctx}: entries");
            assert_eq!(
                map.keys().collect::<Vec<_>>(),
                model.keys().collect::<Vec<_>>()
            );
            assert_eq!(
                map.values().rev().collect::<Vec<_>>(),
                model.values().rev().collect::<Vec<_>>()
            );
            assert_eq!(map.first(), model.first(), "{ctx}: first");
            assert_eq!(map.last(), model.last(), "{ctx}: last");
            for i in 0..=map.len() {
                assert_eq!(
                    map.get_index(i),
                    model.get_index(i),
                    "{ctx}: get_index({i})"
                );
            }
            for p in 0..pool + 2 {
                let k = key(p);
                assert_eq!(map.get_full(&k), model.get_full(&k), "{ctx}: get_full({k})");
                assert_eq!(map.get_index_of(k.as_str()), model.get_index_of(k.as_str()));
                assert_eq!(map.get(&k), model.get(&k));
                assert_eq!(map.get_key_value(&k), model.get_key_value(&k));
                assert_eq!(map.contains_key(&k), model.contains_key(&k));
            }
        }

        fn range(rng: &mut Rng, len: usize) -> (Bound<usize>, Bound<usize>) {
            let a = rng.below(len + 1);
            let b = a + rng.below(len - a + 1);
            let start = match rng.below(3) {
                0 => Bound::Unbounded,
                1 => Bound::Included(a),
                _ if a > 0 => Bound::Excluded(a - 1),
                _ => Bound::Included(a),
            };
            let end = match rng.below(3) {
                0 => Bound::Unbounded,
                1 => Bound::Excluded(b),
                _ if b > a => Bound::Included(b - 1),
                _ => Bound::Excluded(b),
            };
            (start, end)
        }

        fn run(seed: u64, steps: usize, pool: usize) {
            let mut rng = Rng(SplitMix64(seed));
            let mut map = Map::new();
            let mut model = Model::new();
            let mut serial = 0i64;
            for step in 0..steps {
                serial += 1;
                let v = Value::from(serial);
                let k = key(rng.below(pool));
                let op = rng.below(30);
                let ctx = format!(
                    "seed {seed} step {step} op {op} key {k} len {}",
                    model.len()
                );
                match op {
                    0..=5 => assert_eq!(
                        map.insert(k.clone(), v.clone()),
                        model.insert(k, v),
                        "{ctx}"
                    ),
                    6 => assert_eq!(
                        map.insert_full(k.clone(), v.clone()),
                        model.insert_full(k, v),
                        "{ctx}"
                    ),
                    7 => assert_eq!(map.shift_remove(&k), model.shift_remove(&k), "{ctx}"),
                    8 => assert_eq!(map.swap_remove(&k), model.swap_remove(&k), "{ctx}"),
                    9 => assert_eq!(
                        map.shift_remove_entry(&k),
                        model.shift_remove_entry(&k),
                        "{ctx}"
                    ),
                    10 => assert_eq!(
                        map.swap_remove_entry(&k),
                        model.swap_remove_entry(&k),
                        "{ctx}"
                    ),
                    11 => {
                        let i = rng.below(model.len() + 2);
                        match rng.below(3) {
                            0 => assert_eq!(map.pop(), model.pop(), "{ctx}"),
                            1 => assert_eq!(
                                map.swap_remove_index(i),
                                model.swap_remove_index(i),
                                "{ctx}"
                            ),
                            _ => assert_eq!(
                                map.shift_remove_index(i),
                                model.shift_remove_index(i),
                                "{ctx}"
                            ),
                        }
                    }
                    12 => {
                        let m = 2 + rng.below(4);
                        let r = rng.below(m);
                        let keep = |k: &Key, v: &mut Value| {
                            let n: usize = k[1..].parse().unwrap();
                            if n % m == r {
                                *v = Value::from(-(n as i64));
                            }
                            n % m != r || n.is_multiple_of(2)
                        };
                        map.retain(keep);
                        model.retain(keep);
                    }
                    13 => {
                        let n = rng.below(model.len() + 3);
                        map.truncate(n);
                        model.truncate(n);
                    }
                    14 => {
                        let at = match rng.below(3) {
                            0 => 0,
                            1 => model.len(),
                            _ => rng.below(model.len() + 1),
                        };
                        let a = map.split_off(at);
                        let b = model.split_off(at);
                        same(&a, &b, pool, &format!("{ctx}: split_off({at}) tail"));
                        if rng.chance(50) {
                            // Go on with the tail instead, sometimes.
                            map = a;
                            model = b;
                        }
                    }
                    15 => {
                        let r = range(&mut rng, model.len());
                        let a: Vec<_> = map.drain(r).collect();
                        let b: Vec<_> = model.drain(r).collect();
                        assert_eq!(a, b, "{ctx}: drain({r:?})");
                    }
                    16 => {
                        let got = map.entry(k.clone()).index();
                        assert_eq!(got, model.entry(k.clone()).index(), "{ctx}");
                        let a = map.entry(k.clone()).or_insert(v.clone()).clone();
                        let b = model.entry(k).or_insert(v).clone();
                        assert_eq!(a, b, "{ctx}");
                    }
                    17 => {
                        let a = map
                            .entry(k.clone())
                            .and_modify(|x| *x = Value::Bool(true))
                            .or_default()
                            .clone();
                        let b = model
                            .entry(k)
                            .and_modify(|x| *x = Value::Bool(true))
                            .or_default()
                            .clone();
                        assert_eq!(a, b, "{ctx}");
                    }
                    18 => match (map.entry(k.clone()), model.entry(k)) {
                        (Entry::Occupied(mut a), indexmap::map::Entry::Occupied(mut b)) => {
                            assert_eq!(a.key(), b.key());
                            assert_eq!(a.index(), b.index());
                            assert_eq!(a.get(), b.get());
                            match rng.below(5) {
                                0 => assert_eq!(a.insert(v.clone()), b.insert(v)),
                                1 => assert_eq!(a.shift_remove(), b.shift_remove()),
                                2 => assert_eq!(a.swap_remove(), b.swap_remove()),
                                3 => assert_eq!(a.swap_remove_entry(), b.swap_remove_entry()),
                                _ => assert_eq!(a.shift_remove_entry(), b.shift_remove_entry()),
                            }
                        }
                        (Entry::Vacant(a), indexmap::map::Entry::Vacant(b)) => {
                            assert_eq!(a.key(), b.key());
                            assert_eq!(a.index(), b.index());
                            *a.insert(v.clone()) = Value::from("set");
                            *b.insert(v) = Value::from("set");
                        }
                        _ => panic!("{ctx}: entry kinds differ"),
                    },
                    19 => {
                        // Duplicate keys within one extend: first place, last value.
                        let n = rng.below(12);
                        let items: Vec<_> = (0..n)
                            .map(|j| (key(rng.below(pool)), Value::from(serial * 100 + j as i64)))
                            .collect();
                        map.extend(items.clone());
                        model.extend(items);
                    }
                    20 => {
                        let n = rng.below(pool + 4);
                        let items: Vec<_> = (0..n)
                            .map(|j| (key(rng.below(pool)), Value::from(serial * 100 + j as i64)))
                            .collect();
                        map = items.iter().cloned().collect();
                        model = items.into_iter().collect();
                    }
                    21 => {
                        if rng.chance(20) {
                            map.clear();
                            model.clear();
                        } else {
                            map.sort_keys();
                            model.sort_keys();
                        }
                    }
                    22 => {
                        let i = rng.below(model.len() + 1);
                        if i < model.len() {
                            assert_eq!(map[i], model[i], "{ctx}");
                            map[i] = Value::from("by position");
                            model[i] = Value::from("by position");
                        } else {
                            assert!(catch_unwind(AssertUnwindSafe(|| map[i].clone())).is_err());
                            assert!(catch_unwind(AssertUnwindSafe(|| model[i].clone())).is_err());
                        }
                        if let Some((_, x)) = map.get_index_mut(i) {
                            *x = v.clone();
                        }
                        if let Some((_, x)) = model.get_index_mut(i) {
                            *x = v;
                        }
                    }
                    23 => {
                        if let Some(x) = map.get_mut(&k) {
                            *x = v.clone();
                        }
                        if let Some(x) = model.get_mut(&k) {
                            *x = v;
                        }
                        for (j, (_, x)) in map.iter_mut().enumerate() {
                            if j % 3 == 0 {
                                *x = Value::from(j);
                            }
                        }
                        for (j, (_, x)) in model.iter_mut().enumerate() {
                            if j % 3 == 0 {
                                *x = Value::from(j);
                            }
                        }
                    }
                    24 => {
                        map = map.clone();
                        map.reserve(rng.below(20));
                        model.reserve(0);
                    }
                    25 => {
                        if model.contains_key(&k) {
                            assert_eq!(map[&k], model[&k], "{ctx}");
                            map[&k] = v.clone();
                            model[&k] = v;
                        } else if rng.chance(3) {
                            let a = catch_unwind(AssertUnwindSafe(|| map[&k].clone()));
                            let b = catch_unwind(AssertUnwindSafe(|| model[&k].clone()));
                            assert!(a.is_err() && b.is_err(), "{ctx}: Index of an absent key");
                            let a =
                                catch_unwind(AssertUnwindSafe(|| map[k.as_str()] = Value::Null));
                            let b =
                                catch_unwind(AssertUnwindSafe(|| model[k.as_str()] = Value::Null));
                            assert!(a.is_err() && b.is_err(), "{ctx}: IndexMut of an absent key");
                        }
                    }
                    26 => {
                        // Collected in another order: still equal; one value changed: not.
                        let mut shuffled: Vec<_> =
                            map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                        shuffled.reverse();
                        let n = shuffled.len();
                        if n > 1 {
                            let j = rng.below(n);
                            shuffled.swap(0, j);
                        }
                        let other: Map = shuffled.iter().cloned().collect();
                        let other_model: Model = shuffled.iter().cloned().collect();
                        assert_eq!(map == other, model == other_model, "{ctx}");
                        assert!(map == other);
                        if let Some((k0, _)) = shuffled.first().cloned() {
                            let mut changed = other.clone();
                            changed.insert(k0, Value::from("different"));
                            let mut changed_model = other_model.clone();
                            changed_model.insert(shuffled[0].0.clone(), Value::from("different"));
                            assert_eq!(map == changed, model == changed_model, "{ctx}");
                        }
                        let mut bigger = other.clone();
                        bigger.insert(key(pool + 1), Value::Null);
                        assert_ne!(map, bigger);
                        assert_ne!(bigger, map);
                        same(&other, &other_model, pool, &ctx);
                    }
                    27 => {
                        let mut a: Vec<_> = map.clone().into_iter().collect();
                        let b: Vec<_> = model.clone().into_iter().collect();
                        assert_eq!(a, b);
                        a.clear();
                        assert_eq!(
                            map.clone().into_keys().collect::<Vec<_>>(),
                            model.clone().into_keys().collect::<Vec<_>>()
                        );
                        assert_eq!(
                            map.clone().into_values().collect::<Vec<_>>(),
                            model.clone().into_values().collect::<Vec<_>>()
                        );
                        assert_eq!(map.clone().into_keys().len(), model.len());
                        assert_eq!(
                            map.clone().into_values().rev().collect::<Vec<_>>(),
                            model.clone().into_values().rev().collect::<Vec<_>>()
                        );
                        for x in map.values_mut() {
                            if let Value::Integer(n) = x {
                                *n += 1;
                            }
                        }
                        for x in model.values_mut() {
                            if let Value::Integer(n) = x {
                                *n += 1;
                            }
                        }
                    }
                    28 => {
                        // A parser's appends: `HashedKey::insert_new` (`push_distinct` with
                        // the hash) for a key that is absent, `insert_hashed` otherwise.
                        let hk = crate::value::HashedKey::new(&k);
                        if map.contains_key(&k) {
                            map.insert_hashed(hash_of(&k), k.clone(), v.clone());
                        } else {
                            hk.insert_new(&mut map, v.clone());
                        }
                        model.insert(k, v);
                    }
                    _ => {
                        let a = map
                            .entry(k.clone())
                            .or_insert_with(|| Value::from("made"))
                            .clone();
                        let b = model
                            .entry(k)
                            .or_insert_with(|| Value::from("made"))
                            .clone();
                        assert_eq!(a, b, "{ctx}");
                    }
                }
                same(&map, &model, pool, &ctx);
            }
        }

        #[test]
        fn matches_indexmap_on_random_operation_sequences() {
            for seed in 0..400u64 {
                // Pools of 6..30 keys: maps hover below, at and above eight entries.
                let pool = 6 + (seed as usize % 25);
                run(seed, 300, pool);
            }
            // A few long runs with large maps.
            for seed in 1000..1004u64 {
                run(seed, 3000, 200);
            }
        }

        #[test]
        fn the_index_follows_every_bulk_operation_at_the_edges() {
            let full = |n: usize| -> (Map, Model) {
                let items: Vec<_> = (0..n).map(|i| (key(i), Value::from(i))).collect();
                (items.iter().cloned().collect(), items.into_iter().collect())
            };
            for n in 0..20 {
                // split_off at 0 and at len
                for at in [0, n] {
                    let (mut a, mut b) = full(n);
                    let ta = a.split_off(at);
                    let tb = b.split_off(at);
                    same(&a, &b, 20, "split_off head");
                    same(&ta, &tb, 20, "split_off tail");
                }
                // every drain range
                for lo in 0..=n {
                    for hi in lo..=n {
                        let (mut a, mut b) = full(n);
                        let da: Vec<_> = a.drain(lo..hi).collect();
                        let db: Vec<_> = b.drain(lo..hi).collect();
                        assert_eq!(da, db);
                        same(&a, &b, 20, "drain");
                        a.insert(key(50), Value::Null);
                        b.insert(key(50), Value::Null);
                        same(&a, &b, 60, "insert after drain");
                    }
                }
                // Vacant insert crossing the threshold
                let (mut a, mut b) = full(n);
                if let Entry::Vacant(e) = a.entry(key(99)) {
                    e.insert(Value::Bool(true));
                }
                b.entry(key(99)).or_insert(Value::Bool(true));
                same(&a, &b, 100, "vacant insert");
            }
        }

        #[test]
        fn out_of_range_split_off_and_drain_panic_as_indexmap_does() {
            for n in [3usize, 12] {
                for at in [n + 1, n + 5] {
                    let (a, b) = {
                        let items: Vec<_> = (0..n).map(|i| (key(i), Value::from(i))).collect();
                        (
                            items.iter().cloned().collect::<Map>(),
                            items.into_iter().collect::<Model>(),
                        )
                    };
                    let pa = catch_unwind(AssertUnwindSafe(|| a.clone().split_off(at))).is_err();
                    let pb = catch_unwind(AssertUnwindSafe(|| b.clone().split_off(at))).is_err();
                    assert_eq!(pa, pb, "split_off({at}) on {n}");
                    let pa =
                        catch_unwind(AssertUnwindSafe(|| a.clone().drain(1..at).count())).is_err();
                    let pb =
                        catch_unwind(AssertUnwindSafe(|| b.clone().drain(1..at).count())).is_err();
                    assert_eq!(pa, pb, "drain(1..{at}) on {n}");
                    #[allow(clippy::reversed_empty_ranges)]
                    let pa =
                        catch_unwind(AssertUnwindSafe(|| a.clone().drain(2..1).count())).is_err();
                    #[allow(clippy::reversed_empty_ranges)]
                    let pb =
                        catch_unwind(AssertUnwindSafe(|| b.clone().drain(2..1).count())).is_err();
                    assert_eq!(pa, pb, "drain(2..1) on {n}");
                }
            }
        }
    }
}
