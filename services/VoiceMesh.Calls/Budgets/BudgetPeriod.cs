namespace VoiceMesh.Calls.Budgets;

/// <summary>What a budget limits: the calls of one tenant or of one campaign tag.</summary>
public enum BudgetScope
{
    Tenant,
    Campaign,
}

/// <summary>How long a budget's amount lasts: a UTC calendar day or month.</summary>
public enum BudgetPeriod
{
    Day,
    Month,
}

/// <summary>The UTC period <c>[Start, End)</c> an instant falls in.</summary>
public readonly record struct BudgetWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public static BudgetWindow Of(BudgetPeriod period, DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return period switch
        {
            BudgetPeriod.Day => new(new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1)),
            _ => new(new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1)),
        };
    }

    public bool Contains(DateTimeOffset at) => at >= Start && at < End;
}

/// <summary>The API's and the contract's strings for scopes and periods.</summary>
public static class BudgetWire
{
    public static string ToWire(this BudgetScope scope) => scope == BudgetScope.Tenant ? "tenant" : "campaign";

    public static string ToWire(this BudgetPeriod period) => period == BudgetPeriod.Day ? "day" : "month";

    public static bool TryParseScope(string? value, out BudgetScope scope)
    {
        (var known, scope) = value switch
        {
            "tenant" => (true, BudgetScope.Tenant),
            "campaign" => (true, BudgetScope.Campaign),
            _ => (false, default),
        };
        return known;
    }

    public static bool TryParsePeriod(string? value, out BudgetPeriod period)
    {
        (var known, period) = value switch
        {
            "day" => (true, BudgetPeriod.Day),
            "month" => (true, BudgetPeriod.Month),
            _ => (false, default),
        };
        return known;
    }
}
