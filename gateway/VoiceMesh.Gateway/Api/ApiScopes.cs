namespace VoiceMesh.Gateway.Api;

/// <summary>What an API client may do, and which scope a request needs.</summary>
internal static class ApiScopes
{
    public const string Read = "read";
    public const string Command = "command";
    public const string Admin = "admin";

    /// <summary>The claim type a client's scopes are carried in.</summary>
    public const string ClaimType = "scope";

    public static readonly IReadOnlyList<string> All = [Read, Command, Admin];

    private static readonly PathString AdminPath = "/api/admin";

    /// <summary>
    /// <c>admin</c> for any path under <c>/api/admin</c>; else <c>read</c> for GET and HEAD and <c>command</c> for every
    /// other method.
    /// </summary>
    public static string Required(HttpRequest request) =>
        request.Path.StartsWithSegments(AdminPath, StringComparison.OrdinalIgnoreCase) ? Admin
        : HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? Read
        : Command;
}
