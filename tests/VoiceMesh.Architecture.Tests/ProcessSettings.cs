using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// The configuration a process reads, taken from its built assemblies: every options class with a <c>Section</c>
/// (its own and those of the VoiceMesh assemblies it references), the connection strings, Twilio's conventional
/// variables, OpenTelemetry's <c>OTEL_*</c> and, for the gateway, YARP's clusters of the manifest's services. Used to
/// check that deployment files set only settings a process reads, and every one it cannot start without.
/// </summary>
internal sealed class ProcessSettings
{
    /// <summary>Environment names read outside an options class, by every process.</summary>
    private static readonly string[] CommonKeys =
    [
        "ConnectionStrings:Postgres", "ConnectionStrings:RabbitMq", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "Marten:Schema", "Urls",
    ];

    /// <summary>What Twilio's conventional variables stand for (<c>TwilioConfiguration</c>).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["Twilio:AccountSid"] = "TWILIO_ACCOUNT_SID",
        ["Twilio:AuthToken"] = "TWILIO_AUTH_TOKEN",
        ["Simulator:AccountSid"] = "TWILIO_ACCOUNT_SID",
        ["Simulator:AuthToken"] = "TWILIO_AUTH_TOKEN",
    };

    private readonly IReadOnlyList<(string Section, Type Options)> _options;
    private readonly IReadOnlyList<string> _clusters;
    private readonly string _assembly;

    private ProcessSettings(
        string assembly, IReadOnlyList<(string Section, Type Options)> options, IReadOnlyList<string> clusters,
        IReadOnlyList<(string Consumer, string Message)> consumers)
    {
        _assembly = assembly;
        _options = options;
        _clusters = clusters;
        Consumers = consumers;
    }

    /// <summary>The process's own MassTransit consumers: each type's name and the name of the message it consumes.</summary>
    public IReadOnlyList<(string Consumer, string Message)> Consumers { get; }

    /// <summary>The sections this process binds, for messages.</summary>
    public IEnumerable<string> Sections => _options.Select(o => o.Section);

    /// <summary>Each process's settings, read once per test run.</summary>
    private static readonly ConcurrentDictionary<string, ProcessSettings> Read = new(StringComparer.Ordinal);

    /// <summary>The settings of <paramref name="process"/>, read from its build output (in its own load context) once.</summary>
    public static ProcessSettings Of(ManifestProcess process, ServiceManifest manifest) =>
        Read.GetOrAdd(process.Name, _ => Load(process, manifest));

    private static ProcessSettings Load(ManifestProcess process, ServiceManifest manifest)
    {
        var path = RepositoryPaths.ProjectAssembly(process.Assembly);
        var context = new ProcessLoadContext(path);
        var main = context.LoadFromAssemblyPath(path);
        var assemblies = new List<Assembly> { main };
        assemblies.AddRange(main.GetReferencedAssemblies()
            .Where(a => a.Name!.StartsWith("VoiceMesh.", StringComparison.Ordinal))
            .Select(context.LoadFromAssemblyName));
        var options = assemblies.SelectMany(LoadableTypes)
            .Select(t => (Section: SectionOf(t), Options: t))
            .Where(o => o.Section is not null)
            .Select(o => (o.Section!, o.Options))
            .ToList();
        var clusters = process.Role == ManifestProcess.GatewayRole ? manifest.Services.Select(s => s.Name).ToList() : [];
        var consumers = LoadableTypes(main)
            .Where(t => !t.IsAbstract)
            .SelectMany(t => t.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition().FullName == "MassTransit.IConsumer`1")
                .Select(i => (t.Name, i.GetGenericArguments()[0].Name)))
            .ToList();
        return new ProcessSettings(process.Assembly, options, clusters, consumers);
    }

    /// <summary>Whether the process reads the environment variable <paramref name="name"/> (<c>__</c> for <c>:</c>).</summary>
    public bool Reads(string name)
    {
        var key = name.Replace("__", ":", StringComparison.Ordinal);
        if (CommonKeys.Contains(key, StringComparer.OrdinalIgnoreCase) || key.StartsWith("OTEL_", StringComparison.Ordinal))
        {
            return true;
        }

        if (_clusters.Any(c => key.Equals($"ReverseProxy:Clusters:{c}:Destinations:primary:Address", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return _options.Any(o => key.StartsWith(o.Section + ":", StringComparison.OrdinalIgnoreCase)
            && Resolves(o.Options, key[(o.Section.Length + 1)..].Split(':')));
    }

    /// <summary>
    /// The settings the process refuses to start without, as environment names: each <see cref="RequiredAttribute"/>
    /// property of an options class that has no default value.
    /// </summary>
    public IEnumerable<string> Required()
    {
        foreach (var (section, type) in _options)
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                continue;
            }

            var defaults = Activator.CreateInstance(type);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<RequiredAttribute>() is not null && property.GetValue(defaults) is null or "")
                {
                    var key = $"{section}:{property.Name}";
                    yield return Aliases.TryGetValue(key, out var alias) ? alias : key.Replace(":", "__", StringComparison.Ordinal);
                }
            }
        }
    }

    /// <summary>
    /// Every setting the process's options classes bind, as environment names (<c>{name}</c> for a dictionary key,
    /// <c>{i}</c> for a list index) with the default a new options object holds; <c>Shared</c> when the options class is
    /// not the process's own (ServiceDefaults: every process has it).
    /// </summary>
    public IEnumerable<(string Name, string Default, bool Shared, string Property)> Settings() =>
        _options
            .Where(o => o.Options.GetConstructor(Type.EmptyTypes) is not null)
            .SelectMany(o => Leaves(o.Options, Activator.CreateInstance(o.Options), o.Section.Replace(":", "__", StringComparison.Ordinal))
                .Select(l => (l.Name, l.Default, Shared: o.Options.Assembly.GetName().Name != _assembly, l.Property)));

    /// <summary>The leaf settings under <paramref name="type"/>: environment name, default, and the property (Type.Name) that binds it.</summary>
    private static IEnumerable<(string Name, string Default, string Property)> Leaves(Type type, object? value, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var name = $"{prefix}__{property.Name}";
            var declared = $"{type.Name}.{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var current = value is null ? null : property.GetValue(value);
            if (IsScalar(propertyType))
            {
                if (property.SetMethod?.IsPublic == true)
                {
                    yield return (name, Format(current), declared);
                }
            }
            else if (Dictionary(propertyType) is { } valueType)
            {
                var entries = current is IDictionary dictionary && dictionary.Count > 0
                    ? string.Join(", ", dictionary.Keys.Cast<object>().Select(k => $"{k}={Format(dictionary[k])}"))
                    : "none";
                foreach (var leaf in IsScalar(valueType) ? [($"{name}__{{name}}", entries, declared)] : Leaves(valueType, null, $"{name}__{{name}}"))
                {
                    yield return leaf;
                }
            }
            else if (Element(propertyType) is { } elementType)
            {
                var items = current is IEnumerable sequence && sequence.Cast<object>().Any() ? string.Join(", ", sequence.Cast<object>().Select(Format)) : "none";
                foreach (var leaf in IsScalar(elementType) ? [($"{name}__{{i}}", items, declared)] : Leaves(elementType, null, $"{name}__{{i}}"))
                {
                    yield return leaf;
                }
            }
            else if (property.SetMethod?.IsPublic == true || (current is not null && ReferenceEquals(current, property.GetValue(value))))
            {
                // A settable section, or one the options object holds (the binder fills it); a property computing a
                // new object on every read is derived, not a setting.
                foreach (var leaf in Leaves(propertyType, current, name))
                {
                    yield return leaf;
                }
            }
        }
    }

    /// <summary>A default as the configuration reference writes it.</summary>
    private static string Format(object? value) => value switch
    {
        null or "" => "none",
        bool flag => flag ? "true" : "false",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "none",
    };

    private static string? SectionOf(Type type)
    {
        if (type.IsInterface || type.IsAbstract || !type.Name.EndsWith("Options", StringComparison.Ordinal))
        {
            return null;
        }

        var property = type.GetProperty("Section", BindingFlags.Public | BindingFlags.Static);
        if (property?.PropertyType == typeof(string))
        {
            return (string?)property.GetValue(null);
        }

        var field = type.GetField("Section", BindingFlags.Public | BindingFlags.Static);
        return field?.FieldType == typeof(string) ? (string?)field.GetValue(null) : null;
    }

    /// <summary>Whether <paramref name="path"/> names a bindable value under <paramref name="type"/>, as the configuration binder walks it.</summary>
    private static bool Resolves(Type type, ReadOnlySpan<string> path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (path.IsEmpty)
        {
            return true;
        }

        if (IsScalar(type))
        {
            return false;
        }

        if (Dictionary(type) is { } valueType)
        {
            return Resolves(valueType, path[1..]);
        }

        if (Element(type) is { } elementType)
        {
            return int.TryParse(path[0], out _) && Resolves(elementType, path[1..]);
        }

        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && Resolves(property.PropertyType, path[1..]);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid);

    private static Type? Dictionary(Type type) =>
        new[] { type }.Concat(type.GetInterfaces())
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IDictionary<,>))
            .Select(t => t.GetGenericArguments()[1])
            .FirstOrDefault();

    private static Type? Element(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : new[] { type }.Concat(type.GetInterfaces())
                .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                .Select(t => t.GetGenericArguments()[0])
                .FirstOrDefault(_ => typeof(IEnumerable).IsAssignableFrom(type));

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    /// <summary>A process's assemblies beside the test's own, resolved from its build output's deps.json.</summary>
    private sealed class ProcessLoadContext(string mainAssembly) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
