using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Api;

/// <summary>An API client as the gateway keeps it: its name, its key's hash (never the key), its scopes and its rate.</summary>
internal sealed record ApiClient(string Name, byte[] KeySha256, IReadOnlySet<string> Scopes, int PermitsPerSecond, int Burst);

/// <summary>The configured API clients: <c>Gateway:ApiKeys</c> entries (named <c>ApiKeys[i]</c>) and <c>Gateway:ApiClients</c>.</summary>
internal sealed class ApiClientRegistry
{
    private readonly ApiClient[] _clients;
    private readonly Dictionary<string, ApiClient> _byName;

    public ApiClientRegistry(IOptions<ApiAccessOptions> options)
    {
        var access = options.Value;
        var rate = access.ApiRateLimit;
        var clients = new List<ApiClient>();
        for (var i = 0; i < access.ApiKeys.Count; i++)
        {
            if (access.ApiKeys[i].Length > 0 && ApiKeyHash.TryParseEntry(access.ApiKeys[i], out var hash))
            {
                clients.Add(new ApiClient($"ApiKeys[{i}]", hash, new HashSet<string>(ApiScopes.All, StringComparer.Ordinal), rate.PermitsPerSecond, rate.Burst));
            }
        }

        foreach (var (name, client) in access.ApiClients)
        {
            if (TryParseHash(client.KeySha256, out var hash))
            {
                var scopes = ApiScopes.All.Where(s => client.Scopes.Contains(s, StringComparer.OrdinalIgnoreCase)).ToHashSet(StringComparer.Ordinal);
                clients.Add(new ApiClient(name, hash, scopes, client.PermitsPerSecond ?? rate.PermitsPerSecond, client.Burst ?? rate.Burst));
            }
        }

        _clients = [.. clients];
        _byName = _clients.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>A client's <c>KeySha256</c>: 64 hex digits, optionally after <c>sha256:</c>.</summary>
    public static bool TryParseHash(string value, out byte[] hash) =>
        ApiKeyHash.TryParseHex(value.StartsWith(ApiKeyHash.Prefix, StringComparison.OrdinalIgnoreCase) ? value[ApiKeyHash.Prefix.Length..] : value, out hash);

    /// <summary>
    /// The client whose key is <paramref name="presented"/>: its hash is compared with every client's in fixed time,
    /// all of them, so the time taken says nothing about which or how much matched.
    /// </summary>
    public ApiClient? Find(string presented)
    {
        var hash = ApiKeyHash.Of(presented);
        ApiClient? found = null;
        foreach (var client in _clients)
        {
            if (CryptographicOperations.FixedTimeEquals(client.KeySha256, hash))
            {
                found = client;
            }
        }

        return found;
    }

    public ApiClient? Named(string name) => _byName.GetValueOrDefault(name);
}
