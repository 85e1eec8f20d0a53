using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>
/// Fractions (0 to 1) of generated webhooks to mistreat. Each webhook draws one number per fault from a random
/// source seeded with <see cref="Seed"/>, so a run with the same calls mistreats the same webhooks.
/// </summary>
public sealed record WebhookChaos
{
    /// <summary>Delivered twice, with the same idempotency token.</summary>
    [Range(0, 1)]
    public double Duplicate { get; init; }

    /// <summary>Held back until the same call's next webhook has been sent.</summary>
    [Range(0, 1)]
    public double Reorder { get; init; }

    /// <summary>Sent <see cref="DelayBy"/> later (on the simulator clock).</summary>
    [Range(0, 1)]
    public double Delay { get; init; }

    /// <summary>Never sent (logged as dropped).</summary>
    [Range(0, 1)]
    public double Drop { get; init; }

    public TimeSpan DelayBy { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reseeds the random source when set.</summary>
    public int? Seed { get; init; }

    public static WebhookChaos None { get; } = new();
}
