namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>Where a number is in its lifecycle.</summary>
public enum NumberState
{
    /// <summary>Chosen for a pool; the purchase at Twilio is under way.</summary>
    Provisioning,

    /// <summary>Owned and in its pool: chosen as a caller id within its limits.</summary>
    Active,

    /// <summary>Owned, paused by reputation until its cooldown ends; not chosen meanwhile.</summary>
    CoolingDown,

    /// <summary>Owned, taken out of selection by request (with the reason and who asked) until it is resumed.</summary>
    Suspended,

    /// <summary>Released by request: never chosen again, deleted at Twilio when the quarantine ends.</summary>
    Quarantined,

    /// <summary>Deleted at Twilio. Final; the number is never used again.</summary>
    Released,

    /// <summary>Twilio refused to sell it. Final; the pool never held it.</summary>
    Failed,
}

/// <summary>How the pool came to hold a number.</summary>
public enum NumberOrigin
{
    Purchased,
    Imported,
}

/// <summary>The one conversion of the lifecycle's values to the read model's strings.</summary>
public static class NumberWire
{
    public static string ToWire(this NumberState state) => state switch
    {
        NumberState.Provisioning => "provisioning",
        NumberState.Active => "active",
        NumberState.CoolingDown => "cooling-down",
        NumberState.Suspended => "suspended",
        NumberState.Quarantined => "quarantined",
        NumberState.Released => "released",
        NumberState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? wire, out NumberState state) =>
        ServiceDefaults.WireValues.TryParse(wire, ToWire, out state);

    public static string ToWire(this NumberOrigin origin) => origin switch
    {
        NumberOrigin.Purchased => "purchased",
        NumberOrigin.Imported => "imported",
        _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, null),
    };
}
