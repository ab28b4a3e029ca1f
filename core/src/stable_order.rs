//! The stable order of a sequence under a comparison, as indices. The crate's sorts that are not
//! on a hot path (jmespath's `sort` and `sort_by`, SigV2's form keys, endpoint discovery's
//! cache key) go through this one function: each `sort_by` closure would otherwise instantiate
//! the whole of std's stable sort (3–7 KB of code apiece), and the comparison is a `dyn` call
//! so every caller shares one copy (issue #18, the size of a program's binary).

use std::cmp::Ordering;

/// The indices `0..len` in the order `compare` puts the items they stand for, items that
/// compare equal keeping their order (a stable sort).
pub(crate) fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
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

    #[test]
    fn a_short_or_repeating_order_loses_nothing_it_names_and_invents_nothing() {
        assert_eq!(permuted(vec!['a', 'b', 'c'], &[2, 0]), ['c', 'a']);
        assert_eq!(permuted(vec!['a', 'b'], &[1, 1, 5, 0]), ['b', 'a']);
        assert!(stable_order(0, &|_, _| Ordering::Equal).is_empty());
    }
}
