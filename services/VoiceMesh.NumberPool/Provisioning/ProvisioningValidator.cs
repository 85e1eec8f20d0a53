using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Routing;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>A field of a command and what is wrong with it.</summary>
public sealed record InvalidField(string Field, string Reason);

/// <summary>What ProvisionNumbers and ImportNumbers must hold, checked by the endpoints and the consumers alike.</summary>
public static class ProvisioningValidator
{
    public const int MaxCount = 500;
    public const int MaxRequestIdLength = 100;

    public static InvalidField? Validate(ProvisionNumbers command) =>
        Common(command.RequestId, command.Pool, command.RequestedBy)
        ?? (command.Country is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper)
            ? new InvalidField("country", "country is an ISO 3166 alpha-2 code, e.g. US.")
            : null)
        ?? (command.Count is < 1 or > MaxCount ? new InvalidField("count", $"count is 1-{MaxCount}.") : null)
        ?? (command.AreaCodes.Any(a => a is < 200 or > 999) || command.AreaCodes.Count > 50
            ? new InvalidField("areaCodes", "areaCodes are at most 50 three-digit area codes (200-999).")
            : null)
        ?? (command.Region is { } region && (region.Length is < 2 or > 50 || region.Any(char.IsControl))
            ? new InvalidField("region", "region is a state or province, as Twilio's InRegion takes it (e.g. CA).")
            : null)
        ?? (command.AreaCodes.Count > 0 && command.Region is not null
            ? new InvalidField("region", "Give area codes or a region, not both.")
            : null)
        ?? (command.Capabilities.Count == 0 || command.Capabilities.Any(c => !NumberCapabilities.All.Contains(c))
            ? new InvalidField("capabilities", "capabilities are one or more of " + string.Join(", ", NumberCapabilities.All) + ".")
            : null);

    public static InvalidField? Validate(ImportNumbers command) =>
        Common(command.RequestId, command.Pool, command.RequestedBy)
        ?? (command.PhoneNumbers is not { Count: > 0 and <= MaxCount } || command.PhoneNumbers.Any(n => NumberGeography.Locate(n) is null)
            ? new InvalidField("phoneNumbers", $"phoneNumbers are 1-{MaxCount} valid numbers in E.164 form.")
            : null);

    private static InvalidField? Common(string? requestId, string? pool, string? requestedBy) =>
        string.IsNullOrWhiteSpace(requestId) || requestId.Length > MaxRequestIdLength || requestId.Any(char.IsControl)
            ? new InvalidField("requestId", $"requestId is 1-{MaxRequestIdLength} characters.")
            : !Pool.IsValidName(pool)
                ? new InvalidField("pool", Pool.NameDescription)
                : NumberReleases.InvalidText(requestedBy)
                    ? new InvalidField("requestedBy", "requestedBy (who asks) is 1-500 characters.")
                    : null;
}
