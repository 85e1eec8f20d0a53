using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.ServiceDefaults.Tests;

public sealed partial class LogRedactionSpecs
{
    private const string AuthToken = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    private const string ApiKey = "vm_live_0f9e8d7c6b5a";
    private const string TwilioSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";

    /// <summary>What must never reach a provider: the numbers' hidden digits and the secrets themselves.</summary>
    private static readonly string[] Unmasked = ["4155551234", "2071838750", AuthToken, ApiKey, TwilioSignature, "s3cr3t-passw0rd"];

    [Fact]
    public void Numbers_tokens_signatures_and_api_keys_are_masked_in_messages_properties_scopes_and_exceptions()
    {
        var (logger, sink) = Pipeline();

        using (CallScope(logger, "+14155551234"))
        {
            LogCall(logger, "+14155551234", "+442071838750", CallSid);
            LogHeader(logger, TwilioSignature);
            LogSetting(logger, "Twilio:AuthToken", AuthToken);
            LogText(logger, $"key {ApiKey} and token {AuthToken} in free text");
            LogCredentials(logger, "s3cr3t-passw0rd", "anything");
            LogText(logger, "Host=127.0.0.1;Username=voicemesh;Password=s3cr3t-passw0rd;Database=vm via amqp://voicemesh:s3cr3t-passw0rd@127.0.0.1:5672/");
            LogRefused(logger, new InvalidOperationException("The 'To' number +14155551234 is not a valid phone number."), CallSid);
        }

        Assert.Equal(7, sink.Entries.Count);
        var everything = string.Join("\n", sink.Entries.Select(e => e.Everything));
        Assert.All(Unmasked, secret => Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));

        var call = sink.Entries[0];
        Assert.Equal($"Placing {CallSid} to +1********34 from +44********50", call.Message);
        Assert.Equal("+1********34", call.Properties["To"]);
        Assert.Equal("call from +1********34", Assert.Single(call.Scopes));
        Assert.Equal(LogRedactor.Redacted, sink.Entries[1].Properties["Signature"]);
        Assert.Equal(LogRedactor.Redacted, sink.Entries[2].Properties["Value"]);
        Assert.Equal($"key {LogRedactor.Redacted} and token {LogRedactor.Redacted} in free text", sink.Entries[3].Message);
        Assert.Equal(LogRedactor.Redacted, sink.Entries[4].Properties["Password"]);
        Assert.Equal("anything", sink.Entries[4].Properties["User"]);
        Assert.Equal(
            $"Host=127.0.0.1;Username=voicemesh;Password={LogRedactor.Redacted};Database=vm via amqp://voicemesh:{LogRedactor.Redacted}@127.0.0.1:5672/",
            sink.Entries[5].Message);
        Assert.Contains("The 'To' number +1********34 is not a valid phone number.", sink.Entries[6].Exception, StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), sink.Entries[6].Exception, StringComparison.Ordinal);
    }

    [Fact]
    public void Sids_request_ids_times_and_short_numbers_pass_unchanged()
    {
        var (logger, sink) = Pipeline();
        var requestId = Guid.NewGuid().ToString("N");

        var text = $"{CallSid} {requestId} at 2026-11-30T09:00:00Z, 202 Accepted, attempt 3 of +12345";

        LogText(logger, text);

        Assert.Equal(text, Assert.Single(sink.Entries).Message);
    }

    [Fact]
    public void Every_process_logs_through_the_redaction_with_trace_and_span_ids()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Twilio:AuthToken"] = AuthToken;
        builder.AddServiceDefaults();
        using var host = builder.Build();

        Assert.IsType<RedactingLoggerFactory>(host.Services.GetRequiredService<ILoggerFactory>());
        Assert.Equal(LogRedactor.Redacted, host.Services.GetRequiredService<LogRedactor>().Text(AuthToken));
        Assert.Equal(
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId,
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LoggerFactoryOptions>>().Value.ActivityTrackingOptions);
        Assert.True(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>>().Value.IncludeScopes);
    }

    private static (ILogger Logger, CapturingProvider Sink) Pipeline()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Twilio:AuthToken"] = AuthToken,
            ["Gateway:ApiKeys:0"] = ApiKey,
            ["Twilio:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
        }).Build();
        var sink = new CapturingProvider();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(sink))
            .AddLogRedaction(configuration);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<ILogger<LogRedactionSpecs>>(), sink);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placing {CallSid} to {To} from {From}")]
    private static partial void LogCall(ILogger logger, string to, string from, string callSid);

    private static readonly Func<ILogger, string, IDisposable?> CallScope = LoggerMessage.DefineScope<string>("call from {From}");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused {CallSid}")]
    private static partial void LogRefused(ILogger logger, Exception exception, string callSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Header {Signature}")]
    private static partial void LogHeader(ILogger logger, string signature);

    [LoggerMessage(Level = LogLevel.Information, Message = "Setting {Name} is {Value}")]
    private static partial void LogSetting(ILogger logger, string name, string value);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Text}")]
    private static partial void LogText(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing in {User} with {Password}")]
    private static partial void LogCredentials(ILogger logger, string password, string user);

    /// <summary>One log call as a provider received it.</summary>
    private sealed record Entry(string Message, Dictionary<string, object?> Properties, List<string> Scopes, string Exception)
    {
        public string Everything =>
            string.Join(" ", [Message, Exception, .. Scopes, .. Properties.Select(p => $"{p.Key}={p.Value}")]);
    }

    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                provider._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                    ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                    : [];
                lock (provider.Entries)
                {
                    provider.Entries.Add(new Entry(formatter(state, exception), properties, scopes, exception?.ToString() ?? ""));
                }
            }
        }
    }
}
