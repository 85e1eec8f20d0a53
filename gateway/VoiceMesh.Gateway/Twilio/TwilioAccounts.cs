using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Twilio.Security;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>The auth tokens of one Twilio account (a subaccount), from <c>Gateway:Accounts:{AccountSid}</c>.</summary>
public sealed class GatewayAccount
{
    /// <summary>The token Twilio signs the account's webhooks with.</summary>
    public string AuthToken { get; set; } = "";

    /// <summary>The token being rotated in (or out); webhooks signed with either token are accepted.</summary>
    public string? SecondaryAuthToken { get; set; }
}

/// <summary>
/// Every account whose webhooks the gateway accepts, with a <see cref="RequestValidator"/> per distinct token: the
/// main account (<c>Twilio:AccountSid</c>, <c>Twilio:AuthToken</c>, <c>Twilio:SecondaryAuthToken</c>) and each of
/// <c>Gateway:Accounts</c>. Built once; a lookup allocates nothing (the SDK's validator keeps only its secret).
/// </summary>
internal sealed class TwilioAccounts
{
    private readonly FrozenDictionary<string, RequestValidator[]> _accounts;

    public TwilioAccounts(IOptions<GatewayOptions> gateway, IOptions<TwilioOptions> twilio)
    {
        var validators = new Dictionary<string, RequestValidator>(StringComparer.Ordinal);
        RequestValidator[] Validators(string authToken, string? secondaryAuthToken) =>
        [
            .. (string.IsNullOrEmpty(secondaryAuthToken) ? [authToken] : new[] { authToken, secondaryAuthToken })
                .Select(token => validators.TryGetValue(token, out var cached) ? cached : validators[token] = new RequestValidator(token)),
        ];

        var accounts = new Dictionary<string, RequestValidator[]>(StringComparer.Ordinal)
        {
            [twilio.Value.AccountSid] = Validators(twilio.Value.AuthToken, twilio.Value.SecondaryAuthToken),
        };
        foreach (var (accountSid, account) in gateway.Value.Accounts)
        {
            accounts[accountSid] = Validators(account.AuthToken, account.SecondaryAuthToken);
        }

        _accounts = accounts.ToFrozenDictionary(StringComparer.Ordinal);
        Any = [.. validators.Values];
    }

    /// <summary>One validator per distinct token of every account: what a request that names no account is checked against.</summary>
    public IReadOnlyList<RequestValidator> Any { get; }

    /// <summary>The validators of the account's primary and secondary token, or null for an account not configured.</summary>
    public IReadOnlyList<RequestValidator>? Of(string? accountSid) =>
        accountSid is not null && _accounts.TryGetValue(accountSid, out var validators) ? validators : null;
}

/// <summary>
/// Checks <c>Gateway:Accounts</c> at start: each key a well-formed account sid other than the main account's
/// (whose tokens are <c>Twilio:AuthToken</c> and <c>Twilio:SecondaryAuthToken</c>), each with an auth token.
/// </summary>
internal sealed class GatewayAccountsValidator(IOptions<TwilioOptions> twilio) : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        foreach (var (accountSid, account) in options.Accounts)
        {
            var at = $"{GatewayOptions.Section}:Accounts:{accountSid}";
            if (!RecordingSids.IsValidAccount(accountSid))
            {
                failures.Add($"{at}: the key must be an account sid, AC followed by 32 lower-case hex digits.");
            }
            else if (string.Equals(accountSid, twilio.Value.AccountSid, StringComparison.Ordinal))
            {
                failures.Add($"{at}: this is Twilio:AccountSid, whose tokens are Twilio:AuthToken and Twilio:SecondaryAuthToken.");
            }

            if (string.IsNullOrWhiteSpace(account.AuthToken))
            {
                failures.Add($"{at}:AuthToken is not set (environment {GatewayOptions.Section}__Accounts__{accountSid}__AuthToken).");
            }

            if (account.SecondaryAuthToken is { Length: > 0 } secondary && string.IsNullOrWhiteSpace(secondary))
            {
                failures.Add($"{at}:SecondaryAuthToken is blank.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
