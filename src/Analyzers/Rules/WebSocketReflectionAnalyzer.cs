using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers
{
    /// <summary>
    /// WSH004: reflection that reaches non-public parts of <c>System.Net.WebSockets</c>.
    /// (a) a member lookup on a System.Net.WebSockets type asking for <c>BindingFlags.NonPublic</c> or naming a member that
    /// is not public on it; (b) <c>Type.GetType</c>/<c>Assembly.GetType</c>/<c>Module.GetType</c> with a constant string naming
    /// a System.Net.WebSockets type that is not public; (c) <c>[UnsafeAccessor]</c> methods that target a System.Net.WebSockets type.
    /// </summary>
    /// <remarks>
    /// The type a lookup runs on is known only from <c>typeof</c>, <c>GetType()</c> on an instance of a System.Net.WebSockets
    /// type, <c>Type.GetType</c>/<c>Assembly.GetType</c> with a constant name, a search of <c>GetTypes()</c> by name, a local
    /// whose every assignment is one of those, or a private/readonly field whose every write in its type is one of those.
    /// Values read through reflection (<c>field.GetValue(ws).GetType()</c>) are followed for a few hops when the member was
    /// looked up on such a type: each hop that reaches further internals is reported too.
    /// </remarks>
    [DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
    public sealed partial class WebSocketReflectionAnalyzer : DiagnosticAnalyzer
    {
        private const string WebSocketsNamespacePrefix = Types.WebSocketsNamespace + ".";

        /// <summary>The text of a string literal opening with the namespace (also <c>@"…"</c> and <c>$"…"</c>).</summary>
        private const string WebSocketsStringOpening = "\"" + Types.WebSocketsNamespace;

        // BindingFlags values (System.Reflection.BindingFlags).
        private const long BindingFlagsPublic = 16;
        private const long BindingFlagsNonPublic = 32;

        // A resolution depth counts steps within one hop in its low part and hops in its high part: a hop is a value read by
        // reflection whose type is asked for (field.GetValue(x).GetType()), and each hop starts with a fresh budget of steps.
        private const int HopStride = 16;

        // How many steps (GetTypeInfo, ?., locals, fields…) one hop is followed.
        private const int MaxSteps = 8;

        // How many steps into a hop a local or field is still followed ("var a = typeof(X); var b = a; b.GetField(…)", or
        // "object v = f?.GetValue(x); v.GetType()" with f a local): "t = u; u = t;" must end, and quickly.
        private const int MaxSymbolDepth = 5;

        // How many reads through reflection are followed (ClientWebSocket._innerWebSocket → _webSocket → _stream → …).
        private const int MaxHops = 4;

        // UnsafeAccessorKind.Constructor; every other kind targets the first parameter.
        private const int UnsafeAccessorKindConstructor = 0;

        /// <summary>Reflection lookups of the BCL on <c>Type</c>/<c>TypeInfo</c> or <c>RuntimeReflectionExtensions</c>.</summary>
        private static readonly ImmutableHashSet<string> s_lookupNames = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "GetField", "GetFields", "GetProperty", "GetProperties", "GetMethod", "GetMethods",
            "GetConstructor", "GetConstructors", "GetMember", "GetMembers", "GetEvent", "GetEvents",
            "GetNestedType", "GetNestedTypes", "InvokeMember", "FindMembers",
            "GetDeclaredField", "GetDeclaredMethod", "GetDeclaredMethods", "GetDeclaredProperty", "GetDeclaredEvent", "GetDeclaredNestedType",
            "GetRuntimeField", "GetRuntimeFields", "GetRuntimeMethod", "GetRuntimeMethods",
            "GetRuntimeProperty", "GetRuntimeProperties", "GetRuntimeEvent", "GetRuntimeEvents");

        /// <summary>Lookups of one member whose value a chain can read (<c>GetValue</c>/<c>Invoke</c>) and ask the type of.</summary>
        private static readonly ImmutableHashSet<string> s_valueLookupNames = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "GetField", "GetProperty", "GetMethod", "GetConstructor",
            "GetDeclaredField", "GetDeclaredProperty", "GetDeclaredMethod",
            "GetRuntimeField", "GetRuntimeProperty", "GetRuntimeMethod");

        /// <summary>Enumerable methods that pick a type out of <c>assembly.GetTypes()</c> with a predicate.</summary>
        private static readonly ImmutableHashSet<string> s_searchNames = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "First", "FirstOrDefault", "Single", "SingleOrDefault", "Last", "LastOrDefault", "Where");

        /// <summary>Lookups that return non-public members without being asked: declared members and the GetRuntimeXs enumerations.</summary>
        private static readonly ImmutableHashSet<string> s_implicitlyNonPublic = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "GetDeclaredField", "GetDeclaredMethod", "GetDeclaredMethods", "GetDeclaredProperty", "GetDeclaredEvent", "GetDeclaredNestedType",
            "GetRuntimeFields", "GetRuntimeMethods", "GetRuntimeProperties", "GetRuntimeEvents");

        /// <summary>
        /// The string parameter of a user lookup helper names a member: "name", or "…MemberName"/"…FieldName"/… (not "typeName").
        /// </summary>
        private static readonly ImmutableArray<string> s_helperNameSuffixes = ImmutableArray.Create(
            "membername", "fieldname", "propertyname", "methodname", "eventname", "name");

        /// <summary>
        /// Public types of System.Net.WebSockets in any .NET version (.NET Framework to .NET 10), so a name that is public
        /// elsewhere is not reported when the compilation's reference set lacks it (WebSocketStream is new in .NET 10).
        /// </summary>
        private static readonly ImmutableHashSet<string> s_knownPublicTypes = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "WebSocket", "ClientWebSocket", "ClientWebSocketOptions", "HttpListenerWebSocketContext", "ValueWebSocketReceiveResult",
            "WebSocketCloseStatus", "WebSocketContext", "WebSocketCreationOptions", "WebSocketDeflateOptions", "WebSocketError",
            "WebSocketException", "WebSocketMessageFlags", "WebSocketMessageType", "WebSocketReceiveResult", "WebSocketState",
            "WebSocketProtocol", "WebSocketStream");

        /// <summary>
        /// Names of the public members of the public System.Net.WebSockets types in .NET 10, the newest surface. A lookup of one
        /// of these names is feature detection of a newer API (CreateFromStream from netstandard2.0, KeepAliveTimeout from
        /// .NET 8, where it is .NET 9's), not a reach into internals, even when the compilation's reference set lacks the member.
        /// </summary>
        private static readonly ImmutableHashSet<string> s_knownPublicMembers = ImmutableHashSet.Create(
            StringComparer.Ordinal,
            "Abort", "Aborted", "AddSubProtocol", "BeginRead", "BeginWrite", "Binary", "CanRead", "CanSeek", "CanWrite",
            "ClientCertificates", "ClientContextTakeover", "ClientMaxWindowBits", "Close", "CloseAsync", "CloseOutputAsync",
            "CloseReceived", "CloseSent", "CloseStatus", "CloseStatusDescription", "Closed", "CollectHttpResponseDetails",
            "ConnectAsync", "Connecting", "ConnectionClosedPrematurely", "CookieCollection", "Cookies", "Count", "Create",
            "CreateClientBuffer", "CreateClientWebSocket", "CreateFromStream", "CreateReadableMessageStream",
            "CreateServerBuffer", "CreateWritableMessageStream", "Credentials", "DangerousDeflateOptions",
            "DefaultKeepAliveInterval", "DisableCompression", "Dispose", "DisposeAsync", "Empty", "EndOfMessage", "EndRead",
            "EndWrite", "EndpointUnavailable", "ErrorCode", "Faulted", "Flush", "FlushAsync", "GetObjectData", "HeaderError",
            "Headers", "HttpResponseHeaders", "HttpStatusCode", "HttpVersion", "HttpVersionPolicy", "InternalServerError",
            "InvalidMessageType", "InvalidPayloadData", "InvalidState", "IsApplicationTargeting45", "IsAuthenticated", "IsLocal",
            "IsSecureConnection", "IsServer", "KeepAliveInterval", "KeepAliveTimeout", "Length", "MandatoryExtension",
            "MessageTooBig", "MessageType", "NativeError", "None", "NormalClosure", "NotAWebSocket", "Open", "Options", "Origin",
            "PolicyViolation", "Position", "ProtocolError", "Proxy", "Read", "ReadAsync", "ReceiveAsync", "RegisterPrefixes",
            "RemoteCertificateValidationCallback", "RequestUri", "SecWebSocketKey", "SecWebSocketProtocols",
            "SecWebSocketVersion", "Seek", "SendAsync", "ServerContextTakeover", "ServerMaxWindowBits", "SetBuffer", "SetLength",
            "SetRequestHeader", "State", "SubProtocol", "Success", "Text", "UnsupportedProtocol", "UnsupportedVersion",
            "UseDefaultCredentials", "User", "WebSocket", "WebSocketErrorCode", "Write", "WriteAsync");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.WebSocketReflection);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(OnCompilationStart);
        }

        private static void OnCompilationStart(CompilationStartAnalysisContext context)
        {
            Compilation compilation = context.Compilation;
            INamedTypeSymbol? webSocket = compilation.GetTypeByMetadataName(Types.WebSocket);
            INamedTypeSymbol? systemType = compilation.GetTypeByMetadataName("System.Type");
            if (webSocket is null || systemType is null)
            {
                return;
            }

            var analysis = new Analysis(
                compilation,
                webSocket,
                systemType,
                compilation.GetTypeByMetadataName("System.Reflection.BindingFlags"),
                compilation.GetTypeByMetadataName("System.Reflection.Assembly"),
                compilation.GetTypeByMetadataName("System.Reflection.Module"));

            // Calls are looked at only in code blocks whose text spells a reflection entry point: a callback per call of
            // every body was most of what this rule cost on code that uses no reflection.
            context.RegisterCodeBlockStartAction<SyntaxKind>(block =>
            {
                if (EntryPoints.MayContain(block.CodeBlock.SyntaxTree, block.CodeBlock.Span, block.CancellationToken)
                    || analysis.NamesTypeNameConstant(block.CodeBlock, block.CancellationToken))
                {
                    block.RegisterSyntaxNodeAction(analysis.AnalyzeInvocation, SyntaxKind.InvocationExpression);
                    block.RegisterSyntaxNodeAction(analysis.AnalyzeTypeLoop, SyntaxKind.ForEachStatement);
                }
            });
            context.RegisterSymbolAction(analysis.AnalyzeMethod, SymbolKind.Method);
        }

        /// <summary>
        /// Words one of which a code block must spell for a call in it to be looked at (<see cref="Analysis.AnalyzeInvocation"/>
        /// gives up on any other): the names of the lookups and of the words of instance helpers, <c>GetType</c>
        /// (<c>GetTypes</c>, <c>GetTypeInfo</c>), <c>CreateInstance</c>, <c>DefinedTypes</c>, what a user helper's type
        /// argument is written with (<c>typeof</c>, <c>GetType</c>, <c>AsType</c>), and a string opening with
        /// <c>"System.Net.WebSockets</c> (the argument of a type-name helper, or a constant for one). A block spelling none of them is looked at
        /// when it names a <c>const string</c> of its file that may hold a WebSockets type name
        /// (<see cref="Analysis.NamesTypeNameConstant"/>).
        /// </summary>
        /// <remarks>Made on first use, not by a field initializer: the word lists are static fields of other parts of this
        /// partial class, whose initializers may run after this part's.</remarks>
        private static Flow.TextNeedles EntryPoints =>
            System.Threading.LazyInitializer.EnsureInitialized(ref s_entryPoints, () => new Flow.TextNeedles(EntryPointWords()))!;

        private static Flow.TextNeedles? s_entryPoints;

        private static string[] EntryPointWords()
        {
            // A string opening with a System.Net.WebSockets name: what a type-name helper is called with
            // (TypeExists("System.Net.WebSockets.ManagedWebSocket")), in a block that may spell nothing else.
            var words = new List<string> { "GetType", "CreateInstance", "DefinedTypes", "typeof", "AsType", WebSocketsStringOpening };
            words.AddRange(s_instanceHelperWords);
            words.AddRange(s_lookupNames);

            // A word that holds another is found through it: keep the shortest.
            var all = words.Distinct(StringComparer.Ordinal).ToArray();
            return all.Where(word => !all.Any(other => other != word && word.Contains(other))).ToArray();
        }

        private enum Kind
        {
            None,
            GetTypeByName,
            CreateInstance,
            Lookup,
            Helper,
            TypeSearch,
            InstanceHelper,
            TypeNameHelper,
        }

        /// <summary>The words of a file's text that decide whether its reflection calls are bound.</summary>
        [Flags]
        private enum TreeText
        {
            Scanned = 1,
            WebSocket = 2,
            GetType = 4,
        }

        private sealed partial class Analysis
        {
            private readonly Compilation _compilation;
            private readonly INamedTypeSymbol _webSocket;
            private readonly INamedTypeSymbol _systemType;
            private readonly INamedTypeSymbol? _bindingFlags;
            private readonly INamedTypeSymbol? _assembly;
            private readonly INamedTypeSymbol? _module;
            private readonly INamedTypeSymbol _object;
            private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>> _publicNames =
                new ConcurrentDictionary<INamedTypeSymbol, ImmutableHashSet<string>>(SymbolEqualityComparer.Default);
            private readonly ConcurrentDictionary<SyntaxTree, TreeText> _treeText = new ConcurrentDictionary<SyntaxTree, TreeText>();
            private ImmutableArray<INamedTypeSymbol> _namespaceTypes;

            public Analysis(
                Compilation compilation,
                INamedTypeSymbol webSocket,
                INamedTypeSymbol systemType,
                INamedTypeSymbol? bindingFlags,
                INamedTypeSymbol? assembly,
                INamedTypeSymbol? module)
            {
                _compilation = compilation;
                _webSocket = webSocket;
                _systemType = systemType;
                _bindingFlags = bindingFlags;
                _assembly = assembly;
                _module = module;
                _object = compilation.GetSpecialType(SpecialType.System_Object);
            }

            private static int Step(int depth) => depth % HopStride;

            /// <summary>The depth at which the next hop starts, or null past the last hop followed.</summary>
            private static int? NextHop(int depth)
            {
                int hop = (depth / HopStride) + 1;
                return hop > MaxHops ? null : hop * HopStride;
            }

            public void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
            {
                // Cheap checks first. On syntax: the call is spelled like a lookup, GetType(name), CreateInstance or a search of
                // GetTypes(), or it passes a literal name or BindingFlags (a helper). Then the file's text: a WebSocket type or
                // a System.Net.WebSockets name is spelled in it, or (for the calls that can run on an instance's type) GetType
                // is. Then the symbol alone; the operation tree only for a real candidate.
                var node = (InvocationExpressionSyntax)context.Node;
                string? name = InvokedName(node);
                if (name is null)
                {
                    return;
                }

                int argumentCount = node.ArgumentList.Arguments.Count;
                bool byName = name == "GetType" || name == "CreateInstance";
                bool lookup = s_lookupNames.Contains(name);
                bool search = false;
                bool instanceHelper = false;
                bool typeNameHelper = false;
                if (byName)
                {
                    if (argumentCount == 0)
                    {
                        return;
                    }
                }
                else if (lookup)
                {
                    if (!IsLookupCandidate(node, name))
                    {
                        return;
                    }
                }
                else if (argumentCount == 1
                         && node.ArgumentList.Arguments[0].Expression is LambdaExpressionSyntax
                         && s_searchNames.Contains(name)
                         && IsSearchCandidate(node))
                {
                    search = true;
                }
                else if (argumentCount == 0 && IsTypeLoopCandidate(node, name))
                {
                    // foreach (var t in asm.GetTypes()) { if (t.Name == "ManagedWebSocket") … }
                    search = true;
                }
                else
                {
                    bool passesName = false;
                    if (argumentCount == 0 || !IsHelperCandidate(node, out passesName))
                    {
                        if (passesName && IsInstanceHelperName(name))
                        {
                            instanceHelper = true;
                        }
                        else if (passesName && PassesWebSocketsTypeLiteral(node))
                        {
                            // TypeExists("System.Net.WebSockets.ManagedWebSocket").
                            typeNameHelper = true;
                        }
                        else if (PassesStringConstant(node, context.CancellationToken))
                        {
                            // TypeExists(ManagedName) with `const string ManagedName = "System.Net.WebSockets.…";`.
                            typeNameHelper = true;
                        }
                        else
                        {
                            return;
                        }
                    }
                }

                // A type named by a string, or searched for by name, names "WebSocket" in this file. A lookup (or
                // CreateInstance) on a Type may instead get it from x.GetType() of an instance whose type is spelled elsewhere.
                TreeText text = ScanTree(node.SyntaxTree, context.CancellationToken);
                bool onInstanceType = lookup || (!byName && !search) || name == "CreateInstance";
                if (!((text & TreeText.WebSocket) != 0 || (onInstanceType && (text & TreeText.GetType) != 0))
                    || context.SemanticModel.GetSymbolInfo(node, context.CancellationToken).Symbol is not IMethodSymbol symbol)
                {
                    return;
                }

                // Extension calls bind to the reduced method; the operation (and the shape test) see the declared one.
                IMethodSymbol declared = symbol.ReducedFrom ?? symbol;
                Kind kind = declared.Name switch
                {
                    "GetType" when IsGetTypeByName(declared) => Kind.GetTypeByName,
                    "CreateInstance" when IsActivator(declared) => Kind.CreateInstance,
                    _ when search => IsEnumerable(declared.ContainingType) || IsGetTypes(declared) ? Kind.TypeSearch : Kind.None,
                    _ when instanceHelper => InstanceHelperParameter(declared) >= 0 ? Kind.InstanceHelper : Kind.None,
                    _ when typeNameHelper => TypeNameHelperParameter(declared) >= 0 ? Kind.TypeNameHelper : Kind.None,
                    _ when s_lookupNames.Contains(declared.Name) && IsBclReflectionMethod(declared) => Kind.Lookup,
                    _ when IsHelperShape(declared) => Kind.Helper,
                    _ => Kind.None,
                };

                if (kind == Kind.None
                    || context.SemanticModel.GetOperation(node, context.CancellationToken) is not IInvocationOperation invocation)
                {
                    return;
                }

                Action<Diagnostic> report = context.ReportDiagnostic;
                IMethodSymbol method = invocation.TargetMethod;
                switch (kind)
                {
                    case Kind.GetTypeByName:
                        AnalyzeGetTypeByName(report, invocation, method);
                        break;
                    case Kind.CreateInstance:
                        AnalyzeCreateInstance(report, invocation, method);
                        break;
                    case Kind.TypeSearch:
                        AnalyzeTypeSearch(report, invocation);
                        break;
                    case Kind.InstanceHelper:
                        AnalyzeInstanceHelper(report, invocation);
                        break;
                    case Kind.TypeNameHelper:
                        AnalyzeTypeNameHelper(report, invocation);
                        break;
                    default:
                        AnalyzeLookup(report, invocation, method, isHelper: kind == Kind.Helper);
                        break;
                }
            }

            /// <summary>
            /// A search of an assembly's types that may be reported, on syntax: <c>x.GetTypes().First(t => …)</c> or
            /// <c>x.DefinedTypes.Where(t => …)</c>, the predicate a lambda that compares with a string literal.
            /// </summary>
            private static bool IsSearchCandidate(InvocationExpressionSyntax node)
            {
                if (node.ArgumentList.Arguments.Count != 1
                    || node.ArgumentList.Arguments[0].Expression is not LambdaExpressionSyntax lambda
                    || node.Expression is not MemberAccessExpressionSyntax { Expression: var source })
                {
                    return false;
                }

                bool enumeratesTypes = source switch
                {
                    InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0 } invocation => InvokedName(invocation) == "GetTypes",
                    MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText == "DefinedTypes"
                                                                 || s_declaredListNames.Contains(memberAccess.Name.Identifier.ValueText),
                    _ => false,
                };
                if (!enumeratesTypes)
                {
                    return false;
                }

                foreach (SyntaxNode descendant in lambda.Body.DescendantNodesAndSelf())
                {
                    if (descendant.IsKind(SyntaxKind.StringLiteralExpression))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// A lookup that may be reported, on syntax: it can return non-public members by design, or passes what may be a
            /// constant name or <c>NonPublic</c>; and it does not run on <c>typeof(T)</c> of a type that cannot be a
            /// System.Net.WebSockets type (<c>typeof</c> only names accessible types: the public ones).
            /// </summary>
            private static bool IsLookupCandidate(InvocationExpressionSyntax node, string name)
            {
                ExpressionSyntax? receiver = node.Expression is MemberAccessExpressionSyntax memberAccess ? memberAccess.Expression : null;
                if (receiver is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetTypeInfo" } inner })
                {
                    receiver = inner.Expression;
                }

                if (receiver is TypeOfExpressionSyntax typeOf && !s_knownPublicTypes.Contains(RightmostName(typeOf.Type)))
                {
                    return false;
                }

                if (s_implicitlyNonPublic.Contains(name))
                {
                    return true;
                }

                foreach (ArgumentSyntax argument in node.ArgumentList.Arguments)
                {
                    if (MayCarryNameOrNonPublic(argument.Expression))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// Whether an argument may be a constant member name or flags with NonPublic: a bare identifier (a constant?), a
            /// string other than a known public member name, <c>nameof</c>, a cast, or anything spelling NonPublic.
            /// <c>BindingFlags.Public | BindingFlags.Instance</c>, <c>"State"</c>, <c>null</c>, <c>Type.EmptyTypes</c> and
            /// <c>new[] { … }</c> are not.
            /// </summary>
            private static bool MayCarryNameOrNonPublic(ExpressionSyntax expression)
            {
                if (expression is IdentifierNameSyntax)
                {
                    return true;
                }

                foreach (SyntaxNode descendant in expression.DescendantNodesAndSelf())
                {
                    switch (descendant)
                    {
                        case IdentifierNameSyntax { Identifier.ValueText: "NonPublic" }:
                        // A literal naming a known public member never makes a lookup reach internals by itself.
                        case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression)
                                                                  && !s_knownPublicMembers.Contains(literal.Token.ValueText):
                        case InterpolatedStringExpressionSyntax:
                        case CastExpressionSyntax:
                        case InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } }:
                            return true;
                    }
                }

                return false;
            }

            private static string RightmostName(TypeSyntax type) =>
                type switch
                {
                    QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                    AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    _ => string.Empty,
                };

            /// <summary>
            /// A call that may be a user lookup helper worth binding: it passes a literal name, <c>nameof</c> or
            /// <c>BindingFlags.X</c> (<paramref name="hasName"/>), and its receiver or an argument is written <c>typeof(…)</c> or <c>x.GetType()</c>.
            /// </summary>
            private static bool IsHelperCandidate(InvocationExpressionSyntax node, out bool hasName)
            {
                hasName = false;
                bool hasType = node.Expression is MemberAccessExpressionSyntax memberAccess && IsTypeSource(memberAccess.Expression);
                foreach (ArgumentSyntax argument in node.ArgumentList.Arguments)
                {
                    hasName |= IsLiteralNameOrFlags(argument.Expression);
                    hasType |= IsTypeSource(argument.Expression);
                }

                return hasName && hasType;
            }

            private static bool IsTypeSource(ExpressionSyntax expression)
            {
                while (expression is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax)
                {
                    expression = expression is ParenthesizedExpressionSyntax parenthesized
                        ? parenthesized.Expression
                        : ((PostfixUnaryExpressionSyntax)expression).Operand;
                }

                return expression is TypeOfExpressionSyntax
                    || (expression is InvocationExpressionSyntax invocation
                        && InvokedName(invocation) is "GetType" or "GetTypeInfo" or "AsType");
            }

            private static bool IsLiteralNameOrFlags(ExpressionSyntax expression)
            {
                switch (expression)
                {
                    case LiteralExpressionSyntax literal:
                        return literal.IsKind(SyntaxKind.StringLiteralExpression);
                    case MemberAccessExpressionSyntax memberAccess:
                        return memberAccess.Expression is SimpleNameSyntax { Identifier.ValueText: "BindingFlags" }
                            || memberAccess.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "BindingFlags" };
                    case BinaryExpressionSyntax binary:
                        return IsLiteralNameOrFlags(binary.Left) || IsLiteralNameOrFlags(binary.Right);
                    case ParenthesizedExpressionSyntax parenthesized:
                        return IsLiteralNameOrFlags(parenthesized.Expression);
                    case CastExpressionSyntax cast:
                        return IsLiteralNameOrFlags(cast.Expression);
                    case InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } }:
                        return true;
                    default:
                        return false;
                }
            }

            /// <summary>What a file spells, read once per file: reflection into System.Net.WebSockets spells a WebSocket type or
            /// namespace, or reaches the type through <c>GetType()</c> of an instance.</summary>
            private TreeText ScanTree(SyntaxTree tree, CancellationToken cancellationToken)
            {
                if (!_treeText.TryGetValue(tree, out TreeText found))
                {
                    SourceText text = tree.GetText(cancellationToken);
                    // "GetType" matters only where "WebSocket" is absent: a second scan only for those files.
                    found = Contains(text, "WebSocket")
                        ? TreeText.Scanned | TreeText.WebSocket
                        : Contains(text, "GetType") ? TreeText.Scanned | TreeText.GetType : TreeText.Scanned;

                    _treeText.TryAdd(tree, found);
                }

                return found;
            }

            // (b) Type.GetType("System.Net.WebSockets.ManagedWebSocket"), typeof(WebSocket).Assembly.GetType(...).
            private void AnalyzeGetTypeByName(Action<Diagnostic> report, IInvocationOperation invocation, IMethodSymbol method)
            {
                if (!IsGetTypeByName(method))
                {
                    return;
                }

                string? typeName = ConstantString(FirstArgumentOfType(invocation, SpecialType.System_String));
                if (typeName is null || !IsNonPublicWebSocketsTypeName(typeName, out _))
                {
                    return;
                }

                string what = "'" + method.ContainingType.Name + ".GetType(\"" + typeName + "\")'";
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            // Activator.CreateInstance(type, nonPublic: true), (type, BindingFlags.NonPublic | …), ("System.Net.WebSockets", "System.Net.WebSockets.ManagedWebSocket").
            private void AnalyzeCreateInstance(Action<Diagnostic> report, IInvocationOperation invocation, IMethodSymbol method)
            {
                string? what = null;
                IOperation? typeOperand = FirstArgumentOfType(invocation, _systemType, derived: false);
                if (typeOperand is not null)
                {
                    TargetType? target = ResolveTarget(typeOperand, depth: 0);
                    long? flags = ConstantFlags(invocation);
                    if (target is not null
                        && ((flags is long f && (f & BindingFlagsNonPublic) != 0) || ConstantBool(invocation, "nonPublic") == true))
                    {
                        what = "'Activator.CreateInstance' on " + target.Describe();
                    }
                }
                else
                {
                    foreach (IArgumentOperation argument in invocation.Arguments)
                    {
                        if (argument.Parameter is { Name: "typeName" } parameter
                            && parameter.Type.SpecialType == SpecialType.System_String
                            && ConstantString(argument.Value) is string typeName
                            && IsNonPublicWebSocketsTypeName(typeName, out _))
                        {
                            what = "'Activator.CreateInstance(\"" + typeName + "\")'";
                        }
                    }
                }

                if (what is not null)
                {
                    report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
                }
            }

            private static bool IsActivator(IMethodSymbol method) =>
                method.IsStatic
                && method.ContainingType.Name == "Activator"
                && method.ContainingType.ContainingNamespace?.ToDisplayString() == "System";

            private static bool? ConstantBool(IInvocationOperation invocation, string parameterName)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Name: var name } parameter
                        && name == parameterName
                        && parameter.Type.SpecialType == SpecialType.System_Boolean)
                    {
                        return argument.Value.ConstantValue is { HasValue: true, Value: bool value } ? value : null;
                    }
                }

                return null;
            }

            private bool IsGetTypeByName(IMethodSymbol method)
            {
                if (method.Parameters.Length == 0 || method.Parameters[0].Type.SpecialType != SpecialType.System_String)
                {
                    return false;
                }

                INamedTypeSymbol containing = method.ContainingType;
                if (method.IsStatic)
                {
                    return SymbolEqualityComparer.Default.Equals(containing, _systemType);
                }

                return InheritsFrom(containing, _assembly) || InheritsFrom(containing, _module);
            }

            // (a) a member lookup on a System.Net.WebSockets type.
            private void AnalyzeLookup(Action<Diagnostic> report, IInvocationOperation invocation, IMethodSymbol method, bool isHelper)
            {
                IOperation? typeOperand = LookupTypeOperand(invocation, isHelper);
                if (typeOperand is null || ResolveTarget(typeOperand, depth: 0) is not { } target)
                {
                    return;
                }

                string? name = ConstantString(NameArgument(invocation, isHelper));
                if (!Reaches(target, method.Name, name, ConstantFlags(invocation), isHelper))
                {
                    return;
                }

                string what = "'" + method.Name + (name is null ? string.Empty : "(\"" + name + "\")") + "' on " + target.Describe();
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            /// <summary>The <c>Type</c> a lookup runs on: its receiver, or for a helper (and the static extensions) its Type argument.</summary>
            private IOperation? LookupTypeOperand(IInvocationOperation invocation, bool isHelper)
            {
                IOperation? typeOperand = invocation.Instance;
                if (typeOperand is null || isHelper)
                {
                    typeOperand = FirstArgumentOfType(invocation, _systemType, derived: !isHelper);
                }

                return typeOperand;
            }

            /// <summary>
            /// Whether a lookup on the target can find a non-public member: it asks for <c>NonPublic</c> (and not for a public
            /// name together with <c>Public</c>), it returns non-public members by design, or it names a member that is not public.
            /// </summary>
            private bool Reaches(TargetType target, string methodName, string? name, long? flags, bool isHelper)
            {
                bool namePublic = name is not null && IsPublicName(target, name);
                if (flags is long f && (f & BindingFlagsNonPublic) != 0)
                {
                    // Asking for non-public members; a named member that is public is still found (and only that) when Public is asked too.
                    if (!(namePublic && (f & BindingFlagsPublic) != 0))
                    {
                        return true;
                    }
                }

                if (!isHelper && s_implicitlyNonPublic.Contains(methodName) && (name is null || !namePublic))
                {
                    return true;
                }

                return name is not null && !namePublic;
            }

            private bool IsBclReflectionMethod(IMethodSymbol method)
            {
                INamedTypeSymbol containing = method.ContainingType;
                if (InheritsFrom(containing, _systemType))
                {
                    return IsInSystemNamespace(containing);
                }

                return method.IsStatic
                    && containing.Name == "RuntimeReflectionExtensions"
                    && containing.ContainingNamespace?.ToDisplayString() == "System.Reflection";
            }

            /// <summary>
            /// A user helper of the same shape as a lookup: a method outside the System namespaces taking a <c>Type</c>
            /// (usually <c>this Type</c>) and either a <c>BindingFlags</c> or a string parameter whose name ends in "name".
            /// </summary>
            private bool IsHelperShape(IMethodSymbol method)
            {
                ImmutableArray<IParameterSymbol> parameters = method.Parameters;
                if (parameters.Length < 2)
                {
                    return false;
                }

                bool hasType = false;
                bool hasSelector = false;
                foreach (IParameterSymbol parameter in parameters)
                {
                    if (SymbolEqualityComparer.Default.Equals(parameter.Type, _systemType))
                    {
                        hasType = true;
                    }
                    else if (IsBindingFlags(parameter.Type) || IsNameParameter(parameter))
                    {
                        hasSelector = true;
                    }
                }

                return hasType && hasSelector && !IsInSystemNamespace(method.ContainingType);
            }

            private static bool IsNameParameter(IParameterSymbol parameter)
            {
                if (parameter.Type.SpecialType != SpecialType.System_String)
                {
                    return false;
                }

                foreach (string suffix in s_helperNameSuffixes)
                {
                    if (parameter.Name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                    {
                        return parameter.Name.Length == suffix.Length || suffix != "name";
                    }
                }

                return false;
            }

            private bool IsBindingFlags(ITypeSymbol type) =>
                _bindingFlags is not null && SymbolEqualityComparer.Default.Equals(type, _bindingFlags);

            private static IOperation? NameArgument(IInvocationOperation invocation, bool isHelper)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    IParameterSymbol? parameter = argument.Parameter;
                    if (parameter is null || parameter.Type.SpecialType != SpecialType.System_String)
                    {
                        continue;
                    }

                    if (isHelper ? IsNameParameter(parameter) : parameter.Name == "name")
                    {
                        return argument.Value;
                    }
                }

                return null;
            }

            private long? ConstantFlags(IInvocationOperation invocation)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter is not null && IsBindingFlags(argument.Parameter.Type))
                    {
                        Optional<object?> value = argument.Value.ConstantValue;
                        if (value.HasValue && value.Value is not null)
                        {
                            try
                            {
                                return Convert.ToInt64(value.Value, System.Globalization.CultureInfo.InvariantCulture);
                            }
                            catch (Exception e) when (e is InvalidCastException || e is FormatException || e is OverflowException)
                            {
                                return null;
                            }
                        }

                        return null;
                    }
                }

                return null;
            }

            private IOperation? FirstArgumentOfType(IInvocationOperation invocation, INamedTypeSymbol type, bool derived)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter?.Type is INamedTypeSymbol parameterType
                        && (derived ? InheritsFrom(parameterType, type) : SymbolEqualityComparer.Default.Equals(parameterType, type)))
                    {
                        return argument.Value;
                    }
                }

                return null;
            }

            private static IOperation? FirstArgumentOfType(IInvocationOperation invocation, SpecialType type)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter is { Ordinal: 0 } parameter && parameter.Type.SpecialType == type)
                    {
                        return argument.Value;
                    }
                }

                return null;
            }

            /// <summary>Whether a (possibly assembly-qualified) type name names a System.Net.WebSockets type that is not public.</summary>
            private bool IsNonPublicWebSocketsTypeName(string typeName, out string metadataName)
            {
                if (!TryGetWebSocketsTypeName(typeName, out metadataName))
                {
                    return false;
                }

                INamedTypeSymbol? resolved = _compilation.GetTypeByMetadataName(metadataName);
                if (resolved is not null)
                {
                    return !IsPublicType(resolved);
                }

                string simpleName = metadataName.Substring(WebSocketsNamespacePrefix.Length);
                return !s_knownPublicTypes.Contains(simpleName);
            }

            private static bool TryGetWebSocketsTypeName(string typeName, out string metadataName)
            {
                // "System.Net.WebSockets.ManagedWebSocket, System.Net.WebSockets, Version=…" or "…`1[[…]]": the part before ',' and '['.
                int end = typeName.Length;
                int comma = typeName.IndexOf(',');
                if (comma >= 0)
                {
                    end = comma;
                }

                int bracket = typeName.IndexOf('[');
                if (bracket >= 0 && bracket < end)
                {
                    end = bracket;
                }

                metadataName = typeName.Substring(0, end).Trim();
                return metadataName.Length > WebSocketsNamespacePrefix.Length
                    && metadataName.StartsWith(WebSocketsNamespacePrefix, StringComparison.Ordinal);
            }

            private static bool IsPublicType(INamedTypeSymbol type)
            {
                for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
                {
                    if (current.DeclaredAccessibility != Accessibility.Public)
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        private static bool IsWebSocketsType(INamedTypeSymbol type)
        {
            INamedTypeSymbol outer = type;
            while (outer.ContainingType is not null)
            {
                outer = outer.ContainingType;
            }

            for (INamespaceSymbol? ns = outer.ContainingNamespace; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
            {
                if (ns.Name == "WebSockets"
                    && ns.ContainingNamespace is { Name: "Net" } net
                    && net.ContainingNamespace is { Name: "System" } system
                    && system.ContainingNamespace is { IsGlobalNamespace: true })
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInSystemNamespace(INamedTypeSymbol type)
        {
            INamespaceSymbol? ns = type.ContainingNamespace;
            if (ns is null || ns.IsGlobalNamespace)
            {
                return false;
            }

            while (!ns.ContainingNamespace.IsGlobalNamespace)
            {
                ns = ns.ContainingNamespace;
            }

            return ns.Name == "System";
        }

        private static bool InheritsFrom(INamedTypeSymbol? type, INamedTypeSymbol? baseType)
        {
            if (baseType is null)
            {
                return false;
            }

            for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, baseType))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The name of the invoked member as written: <c>Name</c> in <c>x.Name(…)</c>, <c>x?.Name(…)</c>, <c>Name&lt;T&gt;(…)</c>.</summary>
        private static string? InvokedName(InvocationExpressionSyntax node) =>
            node.Expression switch
            {
                MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
                MemberBindingExpressionSyntax memberBinding => memberBinding.Name.Identifier.ValueText,
                SimpleNameSyntax simpleName => simpleName.Identifier.ValueText,
                _ => null,
            };

        /// <summary>Ordinal search of a source text, in chunks, without materialising it as one string.</summary>
        private static bool Contains(SourceText text, string word)
        {
            const int ChunkSize = 8192;
            char[] buffer = new char[ChunkSize];
            int position = 0;
            while (position < text.Length)
            {
                int count = Math.Min(ChunkSize, text.Length - position);
                text.CopyTo(position, buffer, 0, count);
                for (int i = 0; i + word.Length <= count; i++)
                {
                    int k = 0;
                    while (k < word.Length && buffer[i + k] == word[k])
                    {
                        k++;
                    }

                    if (k == word.Length)
                    {
                        return true;
                    }
                }

                if (position + count >= text.Length)
                {
                    break;
                }

                // Overlap the chunks by the word's length so a match across a boundary is found.
                position += count - (word.Length - 1);
            }

            return false;
        }

        private static IOperation SkipConversions(IOperation operation)
        {
            while (operation is IConversionOperation conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }

        private static string? ConstantString(IOperation? operation) =>
            operation is not null && operation.ConstantValue is { HasValue: true, Value: string value } ? value : null;
    }
}
