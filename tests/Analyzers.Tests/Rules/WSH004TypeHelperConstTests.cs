using System.Threading.Tasks;
using Broken = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH004: your own type-name helper (around <c>Type.GetType(name)</c>/<c>Assembly.GetType(name)</c>) called with a
    /// <c>const string</c> — a field, a local, a constant concatenation, a const of another class in the same file — naming
    /// a non-public System.Net.WebSockets type; beside it the consts naming public or other types stay silent.
    /// </summary>
    public class WSH004TypeHelperConstTests
    {
        private const string Usings = @"
using System;
using System.Reflection;
using System.Net.WebSockets;
";

        [Fact]
        public Task A_type_name_helper_called_with_a_const_naming_an_internal_WebSockets_type_is_reported() => Verify.VerifyAsync(Usings + @"
static class Names
{
    public const string Namespace = ""System.Net.WebSockets."";
    public const string Managed = Namespace + ""ManagedWebSocket"";
}

static class Runtime
{
    public static bool TypeExists(string name) => typeof(WebSocket).Assembly.GetType(name) != null;

    public static Type? FindType(string name) => Type.GetType(name, throwOnError: false);
}

class C
{
    private const string ManagedName = ""System.Net.WebSockets.ManagedWebSocket"";

    bool Field() => {|WSH004:Runtime.TypeExists(ManagedName)|};

    bool Qualified() => {|WSH004:Runtime.TypeExists(C.ManagedName)|};

    bool OtherClass() => {|WSH004:Runtime.TypeExists(Names.Managed)|};

    ConstructorInfo? Local()
    {
        const string name = ""System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets"";
        Type? managed = {|WSH004:Runtime.FindType(name)|};
        return managed?{|WSH004:.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null)|};
    }
}");

        [Fact]
        public Task A_type_name_helper_called_with_a_const_naming_a_public_or_other_type_or_with_a_non_const_is_silent() => Verify.VerifyAsync(Usings + @"
static class Runtime
{
    public static bool TypeExists(string name) => typeof(WebSocket).Assembly.GetType(name) != null;

    public static void Log(string message) => Console.WriteLine(message);
}

class C
{
    private const string StreamName = ""System.Net.WebSockets.WebSocketStream"";
    private const string Mine = ""MyApp.Transport"";
    private const string Message = ""System.Net.WebSockets.ManagedWebSocket is used"";
    private static readonly string Managed = ""System.Net.WebSockets.ManagedWebSocket"";

    void M(string fromCaller)
    {
        bool stream = Runtime.TypeExists(StreamName);
        bool mine = Runtime.TypeExists(Mine);
        Runtime.Log(Message);
        bool notConst = Runtime.TypeExists(Managed);
        bool parameter = Runtime.TypeExists(fromCaller);
    }
}");

        [Fact]
        public Task Type_name_helpers_called_with_consts_typed_halfway_throw_nothing() =>
            Broken.AssertNoExceptionOnTruncationsAsync(Usings + @"
static class Runtime
{
    public static bool TypeExists(string name) => typeof(WebSocket).Assembly.GetType(name) != null;
}

class C
{
    private const string ManagedName = ""System.Net.WebSockets."" + ""ManagedWebSocket"";
    bool Supported() => Runtime.TypeExists(ManagedName);
    bool Local() { const string n = ManagedName; return Runtime.TypeExists(n); }
}", step: 5);
    }
}
