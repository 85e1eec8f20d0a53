using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>The <c>status</c> and <c>limit</c> of the list endpoints: what each accepts and the 400 that names it otherwise.</summary>
public sealed class ListParametersSpecs
{
    public enum Light { Red, AmberFlashing }

    private static string ToWire(Light light) => light == Light.Red ? "red" : "amber-flashing";

    [Theory]
    [InlineData(null, null)]
    [InlineData("red", Light.Red)]
    [InlineData("amber-flashing", Light.AmberFlashing)]
    public void A_status_given_as_its_wire_value_or_none_is_taken(string? status, Light? expected)
    {
        Assert.True(ListParameters.TryStatus<Light>(status, ToWire, out var value, out var problem));
        Assert.Equal(expected, value);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("Red")]
    [InlineData("AmberFlashing")]
    [InlineData("")]
    public void Any_other_status_is_refused_naming_status_and_every_wire_value(string status)
    {
        Assert.False(ListParameters.TryStatus<Light>(status, ToWire, out _, out var problem));
        Assert.Equal(["status is one of red, amber-flashing."], problem.ProblemDetails.Errors["status"]);
    }

    [Theory]
    [InlineData(null, 50)]
    [InlineData(1, 1)]
    [InlineData(200, 200)]
    public void A_limit_within_bounds_or_none_gives_the_count(int? limit, int expected)
    {
        Assert.True(ListParameters.TryLimit(limit, 50, 200, out var count, out var problem));
        Assert.Equal(expected, count);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(201)]
    public void A_limit_outside_bounds_is_refused_naming_limit(int limit)
    {
        Assert.False(ListParameters.TryLimit(limit, 50, 200, out _, out var problem));
        Assert.Equal(["limit is between 1 and 200."], problem.ProblemDetails.Errors["limit"]);
    }
}
