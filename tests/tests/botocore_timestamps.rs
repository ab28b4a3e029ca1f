//! Timestamp text read by sansboto (`Timestamp::parse_any`, what parameters and responses go
//! through) and by botocore 1.44.5 (`parse_to_aware_datetime`, dateutil underneath), on about
//! 9,000 strings nobody chose: ISO 8601 in its extended and basic forms with every field one,
//! two or three digits wide, `-`, `/` and `.` between the date's parts, `T`, spaces, tabs or
//! nothing before the time, fractions of any length marked with `.` or `,`, zones as `Z`,
//! names, offsets of one to many digits; the exact form S3 writes; epoch seconds (signs,
//! exponents, underscores, `inf`, non-ASCII spaces and digits); HTTP dates; each then perhaps
//! cut, spaced or given a stray character.
//!
//! Where both read a time it must be the same instant, to the microsecond. Where botocore
//! refuses, sansboto must refuse too, except a leap second (`:60`), which sansboto rolls into
//! the next minute as most parsers do. Where botocore reads what sansboto refuses (dateutil's
//! looser guesses: `2020-01-02T0304`, digits of other scripts), the call fails with an error
//! naming the value rather than going out with another time; those are counted.

use sansboto_core::Timestamp;
use sansboto_tests::botocore;

/// The generator and botocore's reading: `[[text, seconds, microseconds]]`, null where botocore
/// refuses the text.
const READ_BY_BOTOCORE: &str = r#"
import random
random.seed(20261206)
N = 10000
def digits(n): return ''.join(random.choice('0123456789') for _ in range(n))
def pick(*opts): return random.choice(opts)
def year():
    return pick('2020','1999','0000','0001','9999','0099', digits(4), digits(4), '20', '202', '20201', '2020')
def num2(lo=0, hi=99):
    v = random.randint(lo, hi)
    return pick(str(v), '%02d' % v, '%02d' % v, '%03d' % v)
def month(): return pick(num2(0,13), num2(1,12), num2(1,12), '1', '01', '12')
def day(): return pick(num2(0,32), num2(1,28), num2(1,28), '1', '31', '29', '30')
def hour(): return pick(num2(0,25), num2(0,23), '3', '03', '24', '0304', '030405', '030405.5', digits(3))
def mn(): return pick(num2(0,60), num2(0,59), '4', '04', '60', digits(3))
def sec(): return pick(num2(0,61), num2(0,59), '5', '05', '60', '61', digits(3))
def frac(): return pick('.', ',') + digits(random.choice([0,1,2,3,6,7,9,10,15,30]))
def zone():
    h = pick(str(random.randint(0,30)), '%02d' % random.randint(0,30), digits(random.randint(1,5)))
    m = pick('%02d' % random.randint(0,99), str(random.randint(0,9)), digits(3), '')
    return pick('', '', 'Z', 'z', ' Z', '  Z', 'UTC', ' UTC', 'utc', 'GMT', ' GMT', 'gmt', ' EST', 'UT',
                pick('+','-') + h, pick('+','-') + h + ':' + m, pick('+','-') + h + m,
                ' ' + pick('+','-') + h + ':' + m, 'Z+02', 'UTC+2', 'GMT-3', '+' + digits(25), '+02:' + digits(25),
                ' +02 ', '+02 ', '+ 02', '+02:00Z', '-00', '-0000', '+00:00', 'Z ', '+2:30', '+02:30:00', '+0230')
def dtsep(): return pick('T', 'T', 't', ' ', '  ', ' T', 'T ', '', '_', '\t')
def iso():
    s1 = pick('-', '-', '-', '/', '/', '.', '')
    s2 = pick(s1, s1, s1, '-', '/')
    d = year() + s1 + month() + s2 + day()
    if random.random() < 0.15: return d + pick('', '', 'Z', ' ', 'T')
    t = hour()
    r = random.random()
    if r < 0.8:
        t += ':' + mn()
        if random.random() < 0.75:
            t += ':' + sec()
            if random.random() < 0.5: t += frac()
    return d + dtsep() + t + zone()
def basic():
    s = digits(8) if random.random() < 0.3 else '2020%02d%02d' % (random.randint(1,12), random.randint(1,28))
    s += pick('T', 't', ' ', '')
    s += pick('%02d%02d%02d' % (random.randint(0,23), random.randint(0,59), random.randint(0,59)), digits(6), digits(4), digits(2))
    if random.random() < 0.4: s += frac()
    return s + zone()
def epoch():
    return pick(str(random.randint(-10**11, 10**12)), '%d.%s' % (random.randint(0, 2*10**9), digits(random.randint(1,8))),
                '1_000', '1e9', '1E9', ' 12 ', 'inf', '-inf', 'nan', 'infinity', '+1', '1.', '.5', '0x10', '1__0', '253402300800',
                '253402300799.9999999', '-62135596800', '-62135596801', '\u00a012', '12\u2003', '\u0661\u0662')
def fast():
    return '%04d-%02d-%02dT%02d:%02d:%02d%sZ' % (random.randint(0,10000), random.randint(0,13), random.randint(0,32),
        random.randint(0,24), random.randint(0,60), random.randint(0,61), pick('', '.' + digits(random.randint(1,12))))
def http():
    return pick('Tue, 29 Apr 2014 18:30:38 GMT', 'Tue, 29 Apr 2014 18:30:38 +0200', '29 Apr 2014 18:30:38 GMT',
                'Tue Apr 29 18:30:38 2014', 'Sunday, 06-Nov-94 08:49:37 GMT', 'Tue, 29 Apr 2014 18:30 GMT',
                'Tue, 29 Apr 2014 18:30:38 +02', 'Tue, 29 Apr 2014 18:30:38 +2:00', 'Tue, 29 Apr 2014 18:30:38 +' + digits(22),
                'Tue, 29 Apr 2014 18:30:38 +0100 (CET)', 'Tue, 29 Apr 2014 18:30:38 -2359')
def mutate(s):
    if not s or random.random() < 0.7: return s
    i = random.randrange(len(s) + 1)
    op = random.random()
    if op < 0.3: return s[:i] + random.choice(' -/:T.,Z+0123456789') + s[i:]
    if op < 0.6: return s[:i] + s[i+1:]
    return ' ' + s + pick(' ', '\n', '')

import datetime, warnings
from botocore.utils import parse_to_aware_datetime
warnings.simplefilter('ignore')
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
out, seen = [], set()
for _ in range(N):
    g = random.random()
    s = iso() if g < 0.6 else basic() if g < 0.75 else fast() if g < 0.85 else epoch() if g < 0.93 else http()
    s = mutate(s)
    if s in seen:
        continue
    seen.add(s)
    try:
        delta = parse_to_aware_datetime(s) - EPOCH
        out.append([s, delta.days * 86400 + delta.seconds, delta.microseconds])
    except Exception:
        out.append([s, None, None])
emit(out)
"#;

#[test]
fn timestamps_nobody_chose_are_read_as_botocore_reads_them() {
    let cases = botocore::run(READ_BY_BOTOCORE, &[]);
    let cases = cases.as_array().expect("a list of cases");
    assert!(cases.len() > 8_000, "only {} strings", cases.len());
    let (mut same, mut both_refuse, mut only_botocore_reads) = (0, 0, 0);
    let mut differences = Vec::new();
    for case in cases {
        let text = case[0].as_str().unwrap();
        let theirs = case[1]
            .as_i64()
            .map(|secs| (secs, case[2].as_u64().unwrap() as u32));
        let ours = Timestamp::parse_any(text)
            .ok()
            .map(|t| (t.secs(), t.subsec_nanos() / 1000));
        match (ours, theirs) {
            (Some(ours), Some(theirs)) if ours == theirs => same += 1,
            (None, None) => both_refuse += 1,
            (None, Some(_)) => only_botocore_reads += 1,
            // A leap second, rolled over on purpose.
            (Some(_), None) if has_leap_second(text) => {}
            (ours, theirs) => differences.push(format!(
                "{text:?}: sansboto {ours:?}, botocore {theirs:?} (seconds, microseconds)"
            )),
        }
    }
    println!(
        "{} strings: {same} read alike, {both_refuse} refused by both, \
         {only_botocore_reads} read by botocore only",
        cases.len()
    );
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
    assert!(
        same > 800 && both_refuse > 4_000,
        "{same} alike, {both_refuse} refused"
    );
}

/// Whether `text` holds a time whose seconds are 60.
fn has_leap_second(text: &str) -> bool {
    text.match_indices(":60").any(|(at, _)| {
        let before = &text[..at];
        let after = &text[at + 3..];
        before.ends_with(|c: char| c.is_ascii_digit())
            && !after.starts_with(|c: char| c.is_ascii_digit())
    })
}
