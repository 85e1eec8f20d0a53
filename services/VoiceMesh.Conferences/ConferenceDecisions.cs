namespace VoiceMesh.Conferences;

/// <summary>What rooms and conferences share about deciding on a stream.</summary>
internal static class ConferenceDecisions
{
    /// <summary>
    /// Attempts of a decision whose stream another writer changed meanwhile, before the conflict is left to the caller
    /// (the endpoint's retry policy, or a 500). Rooms and conferences take commands, dials' answers and callbacks at the
    /// same moment, and a delivery that ran again because of a conflict would dial twice, so they decide again more
    /// often than the other services (4).
    /// </summary>
    public const int ConflictAttempts = 8;
}
