using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PhoneNumbers;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// What no log line may carry, masked in every message, property, scope and exception text before any provider sees
/// it: a phone number keeps its country code and last two digits (<c>+1*******34</c>), and a secret becomes
/// <c>[redacted]</c>: the value of any property whose name says it is one (token, signature, API key, password,
/// secret, authorization), any value configured under such a name (the Twilio auth token, the gateway's API keys),
/// anything shaped like a Twilio request signature (the base64 of an HMAC-SHA1), a connection string's password and a
/// URL's password. Twilio sids, request ids and times pass unchanged.
/// </summary>
public sealed partial class LogRedactor
{
    public const string Redacted = "[redacted]";

    private static readonly string[] SecretNames = ["token", "signature", "apikey", "api_key", "api-key", "password", "secret", "authorization"];
    private static readonly PhoneNumberUtil Numbers = PhoneNumberUtil.GetInstance();
    private readonly string[] _secrets;

    /// <param name="secrets">Values that are secret wherever they appear (8 characters or more; shorter ones are ignored).</param>
    public LogRedactor(IEnumerable<string> secrets) =>
        _secrets = [.. secrets.Where(s => s.Length >= 8).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    /// <summary>The secrets of a configuration: every non-empty value whose key names a secret in any segment (<c>Gateway:ApiKeys:0</c>).</summary>
    public static LogRedactor From(IConfiguration configuration) =>
        new(configuration.AsEnumerable()
            .Where(pair => pair.Value is { Length: > 0 } && IsSecretName(pair.Key))
            .Select(pair => pair.Value!));

    /// <summary>Whether a property, header or setting named <paramref name="name"/> holds a secret.</summary>
    public static bool IsSecretName(string name) =>
        Array.Exists(SecretNames, s => name.Contains(s, StringComparison.OrdinalIgnoreCase));

    /// <summary>The value of property <paramref name="name"/> as it may be logged.</summary>
    public object? Value(string name, object? value) => value switch
    {
        null => null,
        _ when IsSecretName(name) => Redacted,
        string text => Text(text),
        bool or int or long or double or decimal or Guid or DateTime or DateTimeOffset or TimeSpan or Enum => value,
        IEnumerable sequence and not IDictionary => sequence.Cast<object?>().Select(item => Value(name, item)).ToArray(),
        _ => Text(value.ToString() ?? ""),
    };

    /// <summary><paramref name="text"/> with every phone number masked and every secret removed.</summary>
    public string Text(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        text = Signature().Replace(text, Redacted);
        text = ConnectionPassword().Replace(text, match => match.Groups["key"].Value + "=" + Redacted);
        text = UserInfo().Replace(text, match => match.Groups["scheme"].Value + match.Groups["user"].Value + ":" + Redacted + "@");
        return Phone().Replace(text, match => Mask(match.Groups["plus"].Value, match.Groups["digits"].Value));
    }

    /// <summary>A number's country code (libphonenumber's, else its first digit) and last two digits; the rest as '*'.</summary>
    private static string Mask(string plus, string digits)
    {
        var countryCode = digits[..1];
        try
        {
            countryCode = Numbers.Parse("+" + digits, null).CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (NumberParseException)
        {
        }

        var hidden = Math.Max(0, digits.Length - countryCode.Length - 2);
        return plus + countryCode + new string('*', hidden) + digits[(countryCode.Length + hidden)..];
    }

    /// <summary>'+' (or its URL encoding) and 7 to 15 digits, not inside a longer run of digits or letters.</summary>
    [GeneratedRegex(@"(?<![0-9A-Za-z])(?<plus>\+|%2[Bb])(?<digits>[1-9][0-9]{6,14})(?![0-9])")]
    private static partial Regex Phone();

    /// <summary>A password in a connection string (<c>Password=...;</c>, <c>Pwd=...</c>).</summary>
    [GeneratedRegex(@"(?<key>\b(?:[Pp]assword|PASSWORD|[Pp]wd|PWD))=[^;\s]*")]
    private static partial Regex ConnectionPassword();

    /// <summary>The password of a URL's user information (<c>amqp://user:password@host</c>).</summary>
    [GeneratedRegex(@"(?<scheme>\b[a-z][a-z0-9+.-]*://)(?<user>[^:/@\s]+):[^@/\s]+@")]
    private static partial Regex UserInfo();

    /// <summary>Twilio's <c>X-Twilio-Signature</c>: 20 bytes of HMAC-SHA1 in base64, 27 characters and '='.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{27}=(?![A-Za-z0-9+/=])")]
    private static partial Regex Signature();
}

/// <summary>Puts <see cref="LogRedactor"/> between every logger and every provider.</summary>
public static class LogRedaction
{
    /// <summary>
    /// Replaces the logger factory by one whose loggers redact before they log, so no provider (console, OpenTelemetry,
    /// or one added later) and no call site can skip it. The secrets are read from the configuration once.
    /// </summary>
    public static IServiceCollection AddLogRedaction(this IServiceCollection services, IConfiguration configuration)
    {
        var redactor = LogRedactor.From(configuration);
        services.AddSingleton(redactor);
        var original = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory))
            ?? throw new InvalidOperationException("Logging must be added before its redaction.");
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory((ILoggerFactory)ActivatorUtilities.CreateInstance(sp, original.ImplementationType ?? typeof(LoggerFactory)), redactor)));
        return services;
    }
}

/// <summary>A logger factory whose loggers pass everything through a <see cref="LogRedactor"/>.</summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner, LogRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}

/// <summary>Redacts a log call's message, properties, scope and exception text, then hands it to the real logger.</summary>
public sealed partial class RedactingLogger(ILogger inner, LogRedactor redactor) : ILogger
{
    private const string OriginalFormat = "{OriginalFormat}";

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? inner.BeginScope(new RedactedState(Redact(pairs), redactor.Text(state.ToString() ?? "")))
            : inner.BeginScope(redactor.Text(state.ToString() ?? ""));

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        var redactedException = exception is null ? null : new RedactedException(exception, redactor);
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            var redacted = Redact(pairs);
            var message = Array.Find(redacted, p => p.Key == OriginalFormat).Value is string template
                ? Fill(template, redacted)
                : formatter(state, exception);
            inner.Log(logLevel, eventId, new RedactedState(redacted, redactor.Text(message)), redactedException, static (s, _) => s.Message);
        }
        else
        {
            inner.Log(logLevel, eventId, redactor.Text(formatter(state, exception)), redactedException, static (s, _) => s);
        }
    }

    private KeyValuePair<string, object?>[] Redact(IEnumerable<KeyValuePair<string, object?>> pairs) =>
        [.. pairs.Select(p => p.Key == OriginalFormat ? p : new KeyValuePair<string, object?>(p.Key, redactor.Value(p.Key, p.Value)))];

    /// <summary>
    /// The message template with each hole filled by its redacted property, formatted as the logging formatter does
    /// (invariant culture, a sequence as its items joined by ", ", null as "(null)"): formatting the original values and
    /// redacting the text after would miss a secret only its property's name gives away.
    /// </summary>
    private static string Fill(string template, KeyValuePair<string, object?>[] properties) =>
        Hole().Replace(template, hole =>
            hole.Value.StartsWith("{{", StringComparison.Ordinal) ? "{"
            : hole.Value.StartsWith("}}", StringComparison.Ordinal) ? "}"
            : Array.Find(properties, p => p.Key == hole.Groups["name"].Value) is { Key: not null } found
                ? found.Value switch
                {
                    null => "(null)",
                    string text => text,
                    object[] items => string.Join(", ", items),
                    IFormattable formattable => formattable.ToString(hole.Groups["format"].Success ? hole.Groups["format"].Value : null, System.Globalization.CultureInfo.InvariantCulture),
                    var other => other.ToString() ?? "",
                }
                : hole.Value);

    [GeneratedRegex(@"\{\{|\}\}|\{(?<name>[^{}:,]+)(?:,[^{}:]*)?(?::(?<format>[^{}]*))?\}")]
    private static partial Regex Hole();
}

/// <summary>A log call's properties and message after redaction; formats as its message.</summary>
public sealed class RedactedState(IReadOnlyList<KeyValuePair<string, object?>> pairs, string message) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Message => message;

    public int Count => pairs.Count;

    public KeyValuePair<string, object?> this[int index] => pairs[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => pairs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => message;
}

/// <summary>
/// An exception as it may be logged: its message and its whole text (type, message, stack, inner exceptions) redacted.
/// The original stays with the caller; only the log sees this one.
/// </summary>
public sealed class RedactedException : Exception
{
    private readonly string _text;

    public RedactedException(Exception original, LogRedactor redactor)
        : base(redactor.Text(original.Message))
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(redactor);
        _text = redactor.Text(original.ToString());
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
    }

    /// <summary>The type of the exception this one stands for.</summary>
    public string OriginalType { get; }

    public override string ToString() => _text;
}
