using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences;

/// <summary>
/// Decides again, at once, when the stream changed between read and append. Rooms and conferences take commands,
/// dials' answers and callbacks at the same moment; a pure decision is cheap to repeat on the new version, while an HTTP
/// request would otherwise answer 500 and a delivery would run again (a dial's answer: a second dial).
/// </summary>
internal static class DecisionRetry
{
    /// <summary>Attempts before the conflict is left to the caller (the endpoint's retry policy, or a 500).</summary>
    public const int Attempts = 8;

    public static async Task<T> OnConflict<T>(Func<Task<T>> decide, TimeProvider clock, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await decide();
            }
            catch (StreamConflictException) when (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt), clock, cancellationToken);
            }
        }
    }
}
