//! The crate's own sorts, for what need not take std's (issue #18, the size of a program's
//! binary): each `sort_by` closure instantiates the whole of it, 3–5 KB of code apiece. (The
//! model's sort of its shape names keeps std's: a first EC2 client sorts thousands.) The
//! signer's short lists (a request's header names, its query parameters), on every call's path,
//! are sorted in place without allocating ([`sort_in_place`]): by insertion, as fast as std's
//! sort at their usual length, and a long list by heapsort, a few hundred bytes each where
//! std's is thousands. Sorts that are not on a hot path (jmespath's `sort` and `sort_by`,
//! SigV2's form keys, endpoint discovery's cache key, the environment's proxies) take the
//! stable order of their items as indices ([`stable_order`]: the same sort, once, the
//! comparison a `dyn` call; heapsort's `n log n` comparisons, about twice std's, are nothing
//! there).

use std::cmp::Ordering;

/// The indices `0..len` in the order `compare` puts the items they stand for, items that
/// compare equal keeping their order (a stable sort).
pub(crate) fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    // Unstable, with the index as the last key (so no two items compare equal): the same order
    // as a stable sort, without a scratch buffer.
    sort_in_place(&mut order, |&a, &b| compare(a, b).then(a.cmp(&b)));
    order
}

/// `items` rearranged so the item at `order[i]` comes `i`th (`order` a permutation of
/// `0..items.len()`, as [`stable_order`] gives; indices beyond it or repeated are passed over).
pub(crate) fn permuted<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// Up to this many items, [`sort_in_place`] sorts by insertion (std's own sort does the same
/// below about this length); longer lists by heapsort, whose time grows as `n log n`.
const INSERTION_SORT_MAX: usize = 20;

/// Sort `items` in place by `compare`, not stably: for lists whose items that compare equal
/// are interchangeable (distinct names, or pairs equal only when they are the same).
pub(crate) fn sort_in_place<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let less = |a: &T, b: &T| compare(a, b) == Ordering::Less;
    if items.len() <= INSERTION_SORT_MAX {
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && less(&items[j], &items[j - 1]) {
                items.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    // Heapsort: a max-heap built in place, then its top swapped to the end one by one.
    let sift_down = |items: &mut [T], mut node: usize, end: usize| loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[node], &items[child]) {
            return;
        }
        items.swap(node, child);
        node = child;
    };
    let len = items.len();
    for node in (0..len / 2).rev() {
        sift_down(items, node, len);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_items_keep_their_order() {
        let items = [(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        let order = stable_order(items.len(), &|a, b| items[a].0.cmp(&items[b].0));
        assert_eq!(order, [4, 1, 3, 0, 2]);
        let letters: String = permuted(items.to_vec(), &order)
            .iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(letters, "ebdac");
    }

    /// Long lists with many equal keys (heapsort's range): the order of std's stable sort.
    #[test]
    fn stable_order_is_stable_past_the_insertion_limit() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for len in [INSERTION_SORT_MAX + 1, 100, 1000] {
            let keys: Vec<u64> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed % 7
                })
                .collect();
            let mut expected: Vec<usize> = (0..len).collect();
            expected.sort_by_key(|&i| keys[i]);
            assert_eq!(stable_order(len, &|a, b| keys[a].cmp(&keys[b])), expected);
        }
    }

    #[test]
    fn a_short_or_repeating_order_loses_nothing_it_names_and_invents_nothing() {
        assert_eq!(permuted(vec!['a', 'b', 'c'], &[2, 0]), ['c', 'a']);
        assert_eq!(permuted(vec!['a', 'b'], &[1, 1, 5, 0]), ['b', 'a']);
        assert!(stable_order(0, &|_, _| Ordering::Equal).is_empty());
    }

    /// Every length around the insertion limit and well past it, with repeated keys: the
    /// same order as std's sort by the whole item.
    #[test]
    fn in_place_sort_orders_as_std_at_every_length() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in (0..=3 * INSERTION_SORT_MAX).chain([257, 1000]) {
            for _ in 0..8 {
                let items: Vec<u64> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed % (len as u64 / 2 + 1)
                    })
                    .collect();
                let mut expected = items.clone();
                expected.sort_unstable();
                let mut sorted = items;
                sort_in_place(&mut sorted, |a, b| a.cmp(b));
                assert_eq!(sorted, expected, "length {len}");
            }
        }
    }
}
