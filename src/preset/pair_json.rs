//! A kernel, stride or padding in the block file: one number for square, or `[h, w]`; padding
//! may also give all four sides.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::model::{Padding, Pair};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairJson(pub Pair);

impl Serialize for PairJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_square() {
            serializer.serialize_u64(self.0.h as u64)
        } else {
            [self.0.h, self.0.w].serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for PairJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PairVisitor)
    }
}

struct PairVisitor;

impl<'de> Visitor<'de> for PairVisitor {
    type Value = PairJson;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer or a pair [height, width]")
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<PairJson, E> {
        let n = usize::try_from(n).map_err(|_| E::custom(format!("{n} is too large")))?;
        Ok(PairJson(Pair::square(n)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PairJson, A::Error> {
        let h: usize = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let w: usize = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok(PairJson(Pair::new(h, w)))
    }
}

/// Padding in the block file: one number, `[h, w]` for both sides alike, or
/// `[top, left, bottom, right]` (ONNX's begin-then-end order) where the sides differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaddingJson(pub Padding);

impl Serialize for PaddingJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Padding { begin, end } = self.0;
        if self.0.is_symmetric() {
            PairJson(begin).serialize(serializer)
        } else {
            [begin.h, begin.w, end.h, end.w].serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for PaddingJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PaddingVisitor)
    }
}

struct PaddingVisitor;

impl<'de> Visitor<'de> for PaddingVisitor {
    type Value = PaddingJson;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer, [height, width] or [top, left, bottom, right]")
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<PaddingJson, E> {
        PairVisitor
            .visit_u64(n)
            .map(|p| PaddingJson(Padding::same(p.0)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PaddingJson, A::Error> {
        let mut sides = Vec::with_capacity(4);
        while let Some(n) = seq.next_element::<usize>()? {
            if sides.len() == 4 {
                return Err(de::Error::invalid_length(5, &self));
            }
            sides.push(n);
        }
        match sides[..] {
            [h, w] => Ok(PaddingJson(Padding::new(h, w))),
            [top, left, bottom, right] => Ok(PaddingJson(Padding {
                begin: Pair::new(top, left),
                end: Pair::new(bottom, right),
            })),
            _ => Err(de::Error::invalid_length(sides.len(), &self)),
        }
    }
}
