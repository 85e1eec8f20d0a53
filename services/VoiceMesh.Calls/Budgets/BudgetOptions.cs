using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Budgets;

public sealed class BudgetOptions : IConfigurationOptions
{
    public static string Section => "Calls:Budgets";

    /// <summary>
    /// What a call placed and not yet priced counts against a budget, in the budget's currency, unless the budget names
    /// its own <c>estimatePerCall</c>.
    /// </summary>
    [Range(typeof(decimal), "0", "1000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public decimal InFlightEstimate { get; set; } = 0.05m;
}
