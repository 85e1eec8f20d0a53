using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Api;

/// <summary>
/// Who may call <c>/api/*</c>: <c>Gateway:ApiKeys:0..n</c> (a key, hashed at start-up, or <c>sha256:</c> and its hash;
/// every scope, the default rate) and named clients <c>Gateway:ApiClients:{name}</c> that carry only their key's hash.
/// After start-up <see cref="ApiKeys"/> holds hashes only (<see cref="ApiAccessOptionsSetup"/>).
/// </summary>
public sealed class ApiAccessOptions : IConfigurationOptions
{
    public static string Section => "Gateway";

    /// <summary>Keys accepted in <c>X-Api-Key</c> with every scope: plain (hashed at start-up) or <c>sha256:</c> and 64 hex digits.</summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>Named clients, each with its key's hash, its scopes and its rate.</summary>
    public IDictionary<string, ApiClientOptions> ApiClients { get; } = new Dictionary<string, ApiClientOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The rate of every client that does not set its own.</summary>
    public ApiRateOptions ApiRateLimit { get; } = new();
}

/// <summary>One named API client: <c>Gateway:ApiClients:{name}</c>.</summary>
public sealed class ApiClientOptions
{
    /// <summary>The SHA-256 of the client's key, 64 hex digits (<c>sha256:</c> before them is allowed).</summary>
    public string KeySha256 { get; set; } = "";

    /// <summary>What the client may do: <c>read</c> (GET, HEAD), <c>command</c> (every other method), <c>admin</c> (<c>/api/admin/*</c>).</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>Requests per second the client's bucket refills with; unset means <c>Gateway:ApiRateLimit:PermitsPerSecond</c>.</summary>
    public int? PermitsPerSecond { get; set; }

    /// <summary>The most requests the client may send at once; unset means <c>Gateway:ApiRateLimit:Burst</c>.</summary>
    public int? Burst { get; set; }
}

/// <summary>A token bucket: <see cref="Burst"/> requests at once, refilled with <see cref="PermitsPerSecond"/> each second.</summary>
public sealed class ApiRateOptions
{
    public const int MaxPermits = 1_000_000;

    public int PermitsPerSecond { get; set; } = 100;

    public int Burst { get; set; } = 200;
}
