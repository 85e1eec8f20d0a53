using VoiceMesh.TwilioSimulator.Hosting;

namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>Account SIDs and their auth tokens: the configured one plus any added at run time.</summary>
internal sealed class SimulatorAccounts
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public SimulatorAccounts(SimulatorOptions options)
    {
        _tokens[options.AccountSid] = options.AuthToken;
    }

    public void Add(string accountSid, string authToken)
    {
        lock (_gate)
        {
            _tokens[accountSid] = authToken;
        }
    }

    public string? TokenOf(string accountSid)
    {
        lock (_gate)
        {
            return _tokens.GetValueOrDefault(accountSid);
        }
    }
}
