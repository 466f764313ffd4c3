## La página de la carta, su formulario de firma y sus partes.

letter-feed-title = Novedades: { $title }
letter-preview = Vista previa: así se verá la carta.
letter-preview-draft = Todavía no está publicada.
letter-hosted-by = Una carta publicada por
letter-state-open = Abierta a firmas
letter-state-closed = Cerrada
letter-state-delivered = Entregada
letter-published-on = Publicada el
letter-closes-on = Las firmas se cierran el { $date }
letter-edited-on = Editada el { $date }
letter-to = Para:
letter-family-link = Esta carta también se envió a otros destinatarios: ver todos los destinatarios y sus respuestas
letter-delivered-to = Entregada a
letter-see-changes = ver qué cambió
letter-delivered-pdf = La carta tal como se entregó (PDF)

letter-sign-button = Firmar esta carta
letter-batch-note = Para proteger a quienes firman de forma privada o con sus iniciales, sus firmas se cuentan juntas cada { $minutes } minutos.
letter-what-changed = Qué cambió
letter-sign-heading = Firma esta carta
letter-switch-to-people = ¿Firmas a título personal?
letter-switch-to-organisation = ¿Firmas en nombre de una organización?
letter-not-taking = Esta carta no admite firmas.
letter-signatories = Firmantes
letter-organisations = Organizaciones
letter-verified = ✓ verificada
letter-no-more-organisations = No hay más organizaciones.
letter-organisations-pages = Páginas de organizaciones
letter-first-organisations = Primeras organizaciones
letter-more-organisations = Más organizaciones
letter-people = Personas
letter-no-more-signatories = No hay más firmantes.
letter-no-signatories = Aún no hay firmantes públicos.
letter-signatories-pages = Páginas de firmantes
letter-newest = Más recientes
letter-older = Anteriores
letter-lost-heading = ¿Perdiste tu enlace?
letter-lost-text = ¿Firmaste esta carta y perdiste el correo? Escribe la dirección con la que firmaste: si firmó, le enviaremos un enlace nuevo para gestionar tu firma (o para confirmarla, si aún no lo has hecho).
letter-lost-website = Si firmaste en nombre de una organización: su sitio web
letter-lost-button = Envíame un enlace
letter-verify-heading = Comprueba tú el recuento
letter-verify-intro = No tienes que fiarte de nuestra palabra sobre el recuento. Cada firma de esta carta, y cada firma retirada, se escribe en un registro público que solo puede crecer: nada de lo que contiene puede cambiarse ni borrarse después, ni por los organizadores ni por las personas que gestionan este sitio.
letter-verify-size = { $n ->
    [one] Por ahora, el registro tiene <strong>{ $n }</strong> entrada.
   *[other] Por ahora, el registro tiene <strong>{ $n }</strong> entradas.
}
letter-verify-size-latest = { $n ->
    [one] Por ahora, el registro tiene <strong>{ $n }</strong> entrada; la última firma contada se añadió el { $date }.
   *[other] Por ahora, el registro tiene <strong>{ $n }</strong> entradas; la última firma contada se añadió el { $date }.
}
letter-verify-checkpoint =
    Su último punto de control, un resumen firmado de todo el registro, abarca { $n ->
            [one] su única entrada
           *[other] las { $n } entradas
        }: cualquiera puede descargarlo y volver a contar. Si el recuento de esta página no coincidiera con él, se notaría.
letter-verify-names-committed = El registro no contiene nombres, solo huellas codificadas de lo que muestra esta página: pueden cotejarse con los nombres de arriba, pero no convertirse de nuevo en ellos. Un nombre que se retira se borra para siempre.
letter-verify-names-private = Quienes firman de forma privada solo figuran en él como una huella codificada, nunca con su nombre.
letter-verify-how = Cómo comprobarlo (para quienes tengan conocimientos técnicos)
letter-verify-command = Con el programa libre <code>undersigned</code>, un solo comando descarga el registro, comprueba que no se haya reescrito nada en él y vuelve a contar:
letter-log-key = Clave del registro:
letter-latest-checkpoint = último punto de control
letter-signatories-data = datos de los firmantes
letter-download-as = descargar la lista de firmantes en
letter-sign-heading-organisation = Firma esta carta en nombre de una organización
letter-switch-to-people-link = Usa el formulario para personas
letter-switch-to-organisation-link = Usa el formulario para organizaciones
letter-listed-as = categoría
letter-delivered-on = el
# Sigue directamente a la fecha: ", con 12 firmas".
letter-delivered-with = , con
# $who: "19 supervivientes y 2 periodistas"; $n: cuántas personas son.
letter-withheld = { $n ->
    [one] Y { $who } cuyo nombre no se publica.
   *[other] Y { $who } cuyos nombres no se publican.
}
letter-awaiting = { $n ->
    [one] De ellas, { $count } persona que firmó antes aún no ha vuelto a confirmar el nuevo texto.
   *[other] De ellas, { $count } personas que firmaron antes aún no han vuelto a confirmar el nuevo texto.
}
letter-its-targets = sus destinatarios
letter-verified-domain = Verificada: la persona que firmó confirmó una dirección de correo del dominio del sitio web de la organización
letter-verified-organiser = Verificada por los organizadores de la carta
level-public = Completo, con los datos que he dado
level-initials = Solo con iniciales (por ejemplo, «J. D.»)
level-private = No mostrarlo: que mi firma cuente, pero sin mostrar nunca mi nombre

sign-organisation = Organización
sign-website = Su sitio web
sign-website-hint = Una organización firma una sola vez. Si confirmas una dirección de correo del dominio de este sitio web, tu firma queda verificada al instante; si no, los organizadores la revisan antes.
sign-logo = Su logotipo
sign-logo-hint = PNG, JPEG o WebP, hasta 2 MB. Lo redimensionamos y le quitamos los metadatos.
sign-your-name = Tu nombre
sign-your-title = Tu cargo o función
sign-work-email = Tu correo del trabajo
sign-organisation-email-hint = Te enviamos un enlace para confirmar. Tu correo nunca se muestra; el nombre de la organización sí, junto con tu nombre y tu cargo, como la persona que firmó en su nombre.
sign-privacy-link = Qué guardamos y quién lo ve
sign-authorised = Tengo autorización para firmar en nombre de esta organización
sign-organisation-button = Firmar en nombre de la organización
sign-email-hint = Te enviamos un enlace para confirmar. Tu correo nunca se muestra.
sign-as = Firmo como
sign-rule = (nombre: { $rule })
sign-show-name = Mostrar mi nombre
sign-show-city = Mostrar mi ciudad junto a mis iniciales
sign-display-hint = Los organizadores de esta carta ven el nombre y el correo de cada firmante, elijas lo que elijas.
sign-button = Firmar la carta
sign-updates = Quiero recibir por correo novedades sobre esta carta
sign-updates-hint = Noticias ocasionales de los organizadores, como una respuesta de los destinatarios. Cada correo incluye un enlace para dejar de recibirlas.
field-title = Cargo o función
field-affiliation = Afiliación
field-city = Ciudad
field-country = País
field-comment = Comentario
rule-in-full = completo
rule-as-initials = en iniciales
rule-not-at-all = sin mostrar
# $levels: "en iniciales o sin mostrar".
rule-no-city = { $levels }; la ciudad nunca se muestra
letter-state-archived = Archivada
letter-state-draft = Borrador

asks-heading = Lo que pedimos
ask-status = { $status ->
    [met] cumplida
    [refused] rechazada
    [superseded] sustituida
   *[pending] pendiente
}

timeline-heading = Cronología
timeline-response-from = Respuesta de
timeline-download = Descargar la respuesta
timeline-with = Con { $signatures }.

updates-heading = Novedades
updates-feed = Sigue las novedades con un lector de feeds (Atom)
updates-sources = Fuentes:

charts-heading = Las firmas en imágenes
charts-over-time = Firmas a lo largo del tiempo.
charts-by-day = Las cifras por día
charts-by-category = Firmas por categoría.
charts-by-category-numbers = Las cifras por categoría

share-heading = Pide a otras personas que firmen
share-intro = Las cartas como esta cuentan porque mucha gente las firma. Envía el enlace a quienes querrían firmarla.
share-link = Enlace a la carta
share-copy = Copiar el enlace
share-email = Compartir por correo
share-native = Compartir…
ask-change-pending = La petición { $n } vuelve a estar pendiente ante { $who }: «{ $text }»
ask-change-superseded = La petición { $n } a { $who } fue sustituida: «{ $text }»
ask-change-met = { $who } cumplió la petición { $n }: «{ $text }»
ask-change-refused = { $who } rechazó la petición { $n }: «{ $text }»
chart-time-one-day = { $signatures } el { $date }.
chart-time-summary = { $signatures } del { $first } al { $last }; el día con más: { $most } el { $busiest }.
chart-column-day = Día (UTC)
chart-column-that-day = Firmas ese día
chart-column-total = Total al final del día
chart-category-summary = { $signatures } por categoría. { $parts }.
chart-column-category = Categoría
chart-column-signatures = Firmas
letter-read-in = Lee esta carta en:
letter-translation-note = Esta es una traducción. El texto original, en { $original }, es aquel sobre el que se cuentan las firmas.

## La página de los organizadores para los idiomas de una carta.
languages-heading = Idiomas de la carta
languages-intro = Una carta puede leerse en varios idiomas y mantiene un solo recuento y un solo registro: se firma la misma carta sea cual sea el texto que se lea. El texto original es aquel sobre el que se cuentan las firmas y cuyas versiones guarda el registro; la página lo indica junto a cada traducción. Cada lector recibe el texto en su idioma cuando la carta lo tiene, y puede cambiarlo.
languages-original = El texto original
languages-original-label = Idioma del texto original
# $name: el nombre del idioma, "English".
languages-original-hint = Un código de idioma como en, es, fr, pt-BR o ar (ahora: { $name }). Los textos en árabe, hebreo, persa y urdu se muestran de derecha a izquierda.
languages-translations = Traducciones
languages-none = Aún no hay traducciones.
languages-edit = Editar
languages-remove = Quitar
languages-add-heading = Añadir una traducción
languages-edit-heading = Editar la traducción
languages-lang-label = Código de idioma
languages-lang-hint = Por ejemplo es, fr, pt-BR o ar. Si guardas una traducción en un idioma que la carta ya tiene, sustituye a esa traducción.
languages-title = Título
languages-subject = Asunto
languages-body = Texto (Markdown)
languages-save = Guardar la traducción
