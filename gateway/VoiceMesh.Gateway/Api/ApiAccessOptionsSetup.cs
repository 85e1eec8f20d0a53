using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Api;

/// <summary>
/// Replaces every plain <c>Gateway:ApiKeys</c> entry by its hash before anything reads the options, then refuses
/// start-up on an entry that is not a hash, a client without a valid hash or scope, an unknown scope, a rate below 1,
/// or one key given to two clients.
/// </summary>
internal sealed partial class ApiAccessOptionsSetup : IPostConfigureOptions<ApiAccessOptions>, IValidateOptions<ApiAccessOptions>
{
    public void PostConfigure(string? name, ApiAccessOptions options)
    {
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i];
            if (entry.Length > 0 && !entry.StartsWith(ApiKeyHash.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                options.ApiKeys[i] = ApiKeyHash.Entry(entry);
            }
        }
    }

    public ValidateOptionsResult Validate(string? name, ApiAccessOptions options)
    {
        var failures = new List<string>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        void Own(byte[] hash, string owner)
        {
            if (!owners.TryAdd(Convert.ToHexString(hash), owner))
            {
                failures.Add($"{owner} has the same key as {owners[Convert.ToHexString(hash)]}: give each client its own key.");
            }
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            if (options.ApiKeys[i].Length == 0)
            {
                continue;
            }

            if (ApiKeyHash.TryParseEntry(options.ApiKeys[i], out var hash))
            {
                Own(hash, $"Gateway:ApiKeys:{i}");
            }
            else
            {
                failures.Add($"Gateway:ApiKeys:{i} starts with '{ApiKeyHash.Prefix}' but 64 hex digits (the key's SHA-256) do not follow.");
            }
        }

        foreach (var (client, settings) in options.ApiClients)
        {
            var key = $"Gateway:ApiClients:{client}";
            if (!ClientName().IsMatch(client))
            {
                failures.Add($"{key}: a client name is 1 to 64 letters, digits, '_' or '-'.");
            }

            if (ApiClientRegistry.TryParseHash(settings.KeySha256, out var hash))
            {
                Own(hash, key);
            }
            else
            {
                failures.Add($"{key}:KeySha256 (environment Gateway__ApiClients__{client}__KeySha256) must be the key's SHA-256 as 64 hex digits; './voicemesh api-key' prints one.");
            }

            if (settings.Scopes.Count == 0)
            {
                failures.Add($"{key}:Scopes is empty: give it one or more of {string.Join(", ", ApiScopes.All)}.");
            }

            failures.AddRange(settings.Scopes
                .Where(scope => !ApiScopes.All.Contains(scope, StringComparer.OrdinalIgnoreCase))
                .Select(scope => $"{key}:Scopes has the unknown scope '{scope}'; the scopes are {string.Join(", ", ApiScopes.All)}."));
            CheckRate(failures, $"{key}:PermitsPerSecond", settings.PermitsPerSecond);
            CheckRate(failures, $"{key}:Burst", settings.Burst);
        }

        CheckRate(failures, "Gateway:ApiRateLimit:PermitsPerSecond", options.ApiRateLimit.PermitsPerSecond);
        CheckRate(failures, "Gateway:ApiRateLimit:Burst", options.ApiRateLimit.Burst);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRate(List<string> failures, string key, int? value)
    {
        if (value is < 1 or > ApiRateOptions.MaxPermits)
        {
            failures.Add($"{key} must be between 1 and {ApiRateOptions.MaxPermits}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ClientName();
}
