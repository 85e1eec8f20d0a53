namespace VoiceMesh.NumberPool.Reputation;

/// <summary>
/// What a number's reputation was judged on, over its pool's window: its calls that were answered or not (busy,
/// no-answer), its answer rate against the rest of the pool's, its share of short answered calls and its average talk time.
/// </summary>
public sealed record ReputationEvidence(
    int Calls, double AnswerRate, int PoolCalls, double PoolAnswerRate, double ShortCallRate, double AverageTalkSeconds, TimeSpan Window);

/// <summary>The number's answer rate fell well below its pool's: it cools down (never chosen) until <see cref="Until"/>.</summary>
public sealed record ReputationDegraded(string PhoneNumber, string Pool, ReputationEvidence Evidence, DateTimeOffset Until, DateTimeOffset DegradedAt);

/// <summary>The reputation cooldown is over: the number is active again, judged only on calls from now on.</summary>
public sealed record ReputationCooldownEnded(string PhoneNumber, DateTimeOffset EndedAt);
